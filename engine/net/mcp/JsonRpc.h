// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace gatehouse::jsonrpc {

// JSON-RPC 2.0 error codes used on the wire.
enum ErrorCode
{
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
};

enum class Kind
{
    Request,
    Notification,
    Response,
    Invalid
};

struct Message
{
    Kind kind = Kind::Invalid;
    QJsonObject object;
    int errorCode = 0; // when Invalid: ParseError or InvalidRequest
    QString error;

    QString method() const { return object.value(QLatin1String("method")).toString(); }
    QJsonValue id() const { return object.value(QLatin1String("id")); }
    QJsonObject params() const { return object.value(QLatin1String("params")).toObject(); }
};

// Parses one message and checks its JSON-RPC shape: "jsonrpc": "2.0"; a request has a string method
// and a string or integer id; a notification has no id; a response has an id and result or error.
Message parse(const QByteArray& text);
Message classify(const QJsonObject& object);

QByteArray encode(const QJsonObject& message); // compact, no newline
QJsonObject makeError(const QJsonValue& id, int code, const QString& message);
QJsonObject makeError(const QJsonValue& id, int code, const QString& message, const QJsonObject& data);
QJsonObject makeResult(const QJsonValue& id, const QJsonObject& result);
QJsonObject makeNotification(const QString& method, const QJsonObject& params);
QJsonObject makeRequest(const QJsonValue& id, const QString& method, const QJsonObject& params);

// A hashable spelling of an id that keeps 1 and "1" apart.
QString idKey(const QJsonValue& id);

} // namespace gatehouse::jsonrpc
