// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonRpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <cmath>

namespace gatehouse::jsonrpc {

namespace {
Message invalid(int code, const QString& why, const QJsonObject& object = {})
{
    Message m;
    m.kind = Kind::Invalid;
    m.errorCode = code;
    m.error = why;
    m.object = object;
    return m;
}

bool validId(const QJsonValue& id)
{
    if (id.isString())
        return true;
    if (id.isDouble()) {
        const double d = id.toDouble();
        return std::isfinite(d) && d == std::trunc(d);
    }
    return false;
}
} // namespace

Message classify(const QJsonObject& o)
{
    if (o.value(QLatin1String("jsonrpc")) != QLatin1String("2.0"))
        return invalid(InvalidRequest, QStringLiteral("\"jsonrpc\" must be \"2.0\""), o);
    const bool hasId = o.contains(QLatin1String("id"));
    const QJsonValue id = o.value(QLatin1String("id"));
    if (o.contains(QLatin1String("method"))) {
        if (!o.value(QLatin1String("method")).isString())
            return invalid(InvalidRequest, QStringLiteral("\"method\" must be a string"), o);
        if (o.contains(QLatin1String("params")) && !o.value(QLatin1String("params")).isObject())
            return invalid(InvalidRequest, QStringLiteral("\"params\" must be an object"), o);
        if (!hasId)
            return {Kind::Notification, o, 0, {}};
        if (!validId(id))
            return invalid(InvalidRequest, QStringLiteral("a request id must be a string or an integer"), o);
        return {Kind::Request, o, 0, {}};
    }
    const bool hasResult = o.contains(QLatin1String("result"));
    const bool hasError = o.contains(QLatin1String("error"));
    if (hasResult == hasError)
        return invalid(
            InvalidRequest,
            QStringLiteral("a message needs \"method\", or exactly one of \"result\" and \"error\""), o);
    if (!hasId || !(validId(id) || id.isNull()))
        return invalid(InvalidRequest, QStringLiteral("a response needs the id of its request"), o);
    return {Kind::Response, o, 0, {}};
}

Message parse(const QByteArray& text)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        // QJsonDocument takes only an object or an array at the top; `null`, `"x"` or `42` are JSON all
        // the same, just not a request: -32600, as JSON-RPC says, not a parse error.
        QJsonParseError wrapped{};
        const QJsonDocument scalar = QJsonDocument::fromJson("[" + text + "]", &wrapped);
        if (wrapped.error == QJsonParseError::NoError && scalar.array().size() == 1)
            return invalid(InvalidRequest, QStringLiteral("a JSON-RPC message is an object"));
        return invalid(
            ParseError,
            QStringLiteral("parse error: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    }
    if (doc.isArray())
        return invalid(InvalidRequest,
                       QStringLiteral("JSON-RPC batches are not supported; send one message per request"));
    if (!doc.isObject())
        return invalid(InvalidRequest, QStringLiteral("a JSON-RPC message is an object"));
    return classify(doc.object());
}

QByteArray encode(const QJsonObject& message)
{
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

QJsonObject makeError(const QJsonValue& id, int code, const QString& message)
{
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id},
            {QStringLiteral("error"),
             QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

QJsonObject makeError(const QJsonValue& id, int code, const QString& message, const QJsonObject& data)
{
    QJsonObject out = makeError(id, code, message);
    QJsonObject error = out.value(QStringLiteral("error")).toObject();
    error.insert(QStringLiteral("data"), data);
    out.insert(QStringLiteral("error"), error);
    return out;
}

QJsonObject makeResult(const QJsonValue& id, const QJsonObject& result)
{
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), id},
            {QStringLiteral("result"), result}};
}

QJsonObject makeNotification(const QString& method, const QJsonObject& params)
{
    QJsonObject o{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QJsonObject makeRequest(const QJsonValue& id, const QString& method, const QJsonObject& params)
{
    QJsonObject o{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                  {QStringLiteral("id"), id},
                  {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QString idKey(const QJsonValue& id)
{
    if (id.isString())
        return u's' + id.toString();
    return u'n' + QString::number(id.toDouble(), 'g', 17);
}

} // namespace gatehouse::jsonrpc
