// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QString>
#include <optional>

namespace gatehouse::cli {

struct ListenAddress
{
    QHostAddress address;
    quint16 port = 0;
};

// "127.0.0.1:8731", "[::1]:0": a numeric address and a port (0 picks a free one); nullopt otherwise.
inline std::optional<ListenAddress> parseListenAddress(const QString& spec)
{
    const qsizetype colon = spec.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    const QHostAddress address(QString(spec.left(colon)).remove(u'[').remove(u']'));
    bool ok = false;
    const int port = spec.mid(colon + 1).toInt(&ok);
    if (address.isNull() || !ok || port < 0 || port > 65535)
        return std::nullopt;
    return ListenAddress{address, quint16(port)};
}

// --approvals-listen HOST:PORT: where approval pages are served besides, for a phone on the same network.
// The links name the address, so it must be one a browser reaches, not "any address".
inline std::optional<ListenAddress> parseApprovalsListen(const QString& spec, QString* error)
{
    const auto at = parseListenAddress(spec);
    if (!at)
        *error = QStringLiteral("--approvals-listen must be HOST:PORT with a numeric address, e.g. "
                                "192.168.1.20:8732");
    else if (at->address == QHostAddress::Any || at->address == QHostAddress::AnyIPv4 ||
             at->address == QHostAddress::AnyIPv6)
        *error = QStringLiteral("--approvals-listen needs the address the approver's browser reaches "
                                "(e.g. this machine's 192.168.1.20:8732), not %1: the links name it")
                     .arg(spec);
    else
        return at;
    return std::nullopt;
}

} // namespace gatehouse::cli
