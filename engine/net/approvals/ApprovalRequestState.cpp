// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalRequestState.h"

#include "http/BearerToken.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

namespace gatehouse {

namespace {
constexpr auto Base64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray mac(const QByteArray& payload, const QByteArray& key)
{
    return QMessageAuthenticationCode::hash("approval-request-state\n" + payload, key,
                                            QCryptographicHash::Sha256)
        .toBase64(Base64);
}
} // namespace

QString ApprovalRequestState::seal(const QByteArray& key) const
{
    const QJsonObject claims{
        {QStringLiteral("a"), approvalId},    {QStringLiteral("s"), server},
        {QStringLiteral("t"), tool},          {QStringLiteral("g"), grant},
        {QStringLiteral("h"), argumentsHash}, {QStringLiteral("e"), expires.toSecsSinceEpoch()}};
    const QByteArray payload = QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(Base64);
    return QLatin1StringView(Prefix) + QString::fromLatin1(payload + '.' + mac(payload, key));
}

std::optional<ApprovalRequestState> ApprovalRequestState::open(const QString& requestState,
                                                               const QByteArray& key, const QDateTime& now,
                                                               QString* why)
{
    const QByteArray body = requestState.mid(qstrlen(Prefix)).toLatin1();
    const QList<QByteArray> parts = body.split('.');
    if (!isOurs(requestState) || parts.size() != 2 || key.isEmpty() ||
        !constantTimeEquals(parts.at(1), mac(parts.at(0), key))) {
        *why = QStringLiteral("the requestState is not one Gatehouse gave out (altered, or from another "
                              "Gatehouse)");
        return std::nullopt;
    }
    const auto decoded = QByteArray::fromBase64Encoding(parts.at(0), Base64);
    const QJsonObject o = QJsonDocument::fromJson(decoded.decoded).object();
    ApprovalRequestState s;
    s.approvalId = o.value(QStringLiteral("a")).toString();
    s.server = o.value(QStringLiteral("s")).toString();
    s.tool = o.value(QStringLiteral("t")).toString();
    s.grant = o.value(QStringLiteral("g")).toString();
    s.argumentsHash = o.value(QStringLiteral("h")).toString();
    s.expires = QDateTime::fromSecsSinceEpoch(o.value(QStringLiteral("e")).toInteger(), Qt::UTC);
    if (!decoded || s.approvalId.isEmpty()) {
        *why = QStringLiteral("the requestState cannot be read");
        return std::nullopt;
    }
    if (now >= s.expires) {
        *why = QStringLiteral("the requestState has expired; make the call afresh, without it");
        return std::nullopt;
    }
    return s;
}

} // namespace gatehouse
