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

} // namespace gatehouse::cli
