// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatelessEra.h"

#include <QJsonArray>

namespace gatehouse::stateless {

bool isEraError(int code)
{
    return code == -32020 || code == -32021 || code == -32022;
}

QJsonObject withEraMeta(QJsonObject request, const QJsonObject& clientCapabilities,
                        const QJsonObject& clientInfo)
{
    QJsonObject params = request.value(QStringLiteral("params")).toObject();
    QJsonObject meta = params.value(QStringLiteral("_meta")).toObject();
    meta.insert(MetaPrefix + QStringLiteral("protocolVersion"), QLatin1String(Version));
    meta.insert(MetaPrefix + QStringLiteral("clientCapabilities"), clientCapabilities);
    if (!clientInfo.isEmpty())
        meta.insert(MetaPrefix + QStringLiteral("clientInfo"), clientInfo);
    params.insert(QStringLiteral("_meta"), meta);
    request.insert(QStringLiteral("params"), params);
    return request;
}

QByteArray encodeHeaderValue(const QString& value)
{
    bool plain = !value.startsWith(QLatin1String("=?"));
    for (const QChar c : value)
        plain = plain && c.unicode() >= 0x20 && c.unicode() < 0x7f;
    if (plain && value.trimmed() == value)
        return value.toLatin1();
    return "=?base64?" + value.toUtf8().toBase64() + "?=";
}

QString decodeHeaderValue(const QByteArray& value)
{
    if (value.startsWith("=?base64?") && value.endsWith("?=") && value.size() >= 11)
        return QString::fromUtf8(QByteArray::fromBase64(value.mid(9, value.size() - 11)));
    return QString::fromLatin1(value);
}

QList<QPair<QByteArray, QByteArray>> headersFor(const QJsonObject& request)
{
    const QString method = request.value(QStringLiteral("method")).toString();
    QList<QPair<QByteArray, QByteArray>> headers{{"MCP-Protocol-Version", Version},
                                                 {"Mcp-Method", encodeHeaderValue(method)}};
    const QJsonObject params = request.value(QStringLiteral("params")).toObject();
    if (method == u"tools/call" || method == u"prompts/get")
        headers.append({"Mcp-Name", encodeHeaderValue(params.value(QStringLiteral("name")).toString())});
    else if (method == u"resources/read")
        headers.append({"Mcp-Name", encodeHeaderValue(params.value(QStringLiteral("uri")).toString())});
    return headers;
}

void collectParamHeaders(const QJsonObject& listToolsResult, ParamHeaders* into)
{
    for (const QJsonValue& t : listToolsResult.value(QStringLiteral("tools")).toArray()) {
        const QJsonObject tool = t.toObject();
        QList<QPair<QString, QByteArray>> mirrored;
        const QJsonObject properties =
            tool.value(QStringLiteral("inputSchema"))[QStringLiteral("properties")].toObject();
        for (auto p = properties.begin(); p != properties.end(); ++p) {
            const QJsonObject schema = p.value().toObject();
            const QString header = schema.value(QStringLiteral("x-mcp-header")).toString();
            const QString type = schema.value(QStringLiteral("type")).toString();
            if (!header.isEmpty() && (type == u"string" || type == u"integer" || type == u"boolean"))
                mirrored.append({p.key(), header.toLatin1()});
        }
        const QString name = tool.value(QStringLiteral("name")).toString();
        if (mirrored.isEmpty())
            into->remove(name);
        else
            into->insert(name, mirrored);
    }
}

QList<QPair<QByteArray, QByteArray>> paramHeadersFor(const QJsonObject& request, const ParamHeaders& known)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (request.value(QStringLiteral("method")).toString() != u"tools/call")
        return headers;
    const QJsonObject params = request.value(QStringLiteral("params")).toObject();
    const QJsonObject arguments = params.value(QStringLiteral("arguments")).toObject();
    for (const auto& [argument, header] : known.value(params.value(QStringLiteral("name")).toString())) {
        const QJsonValue v = arguments.value(argument);
        QString text;
        if (v.isString())
            text = v.toString();
        else if (v.isBool())
            text = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        else if (v.isDouble())
            text = QString::number(v.toInteger());
        else
            continue; // absent or null: no header
        headers.append({"Mcp-Param-" + header, encodeHeaderValue(text)});
    }
    return headers;
}

QJsonObject initializeResultFrom(const QJsonObject& discover, const QString& clientVersion)
{
    QJsonObject result{{QStringLiteral("protocolVersion"), clientVersion},
                       {QStringLiteral("capabilities"), discover.value(QStringLiteral("capabilities"))},
                       {QStringLiteral("serverInfo"),
                        discover.value(QStringLiteral("_meta"))[MetaPrefix + QStringLiteral("serverInfo")]}};
    if (!result.value(QStringLiteral("serverInfo")).isObject())
        result.insert(QStringLiteral("serverInfo"),
                      QJsonObject{{QStringLiteral("name"), QStringLiteral("unknown")},
                                  {QStringLiteral("version"), QStringLiteral("0")}});
    if (discover.contains(QStringLiteral("instructions")))
        result.insert(QStringLiteral("instructions"), discover.value(QStringLiteral("instructions")));
    return result;
}

} // namespace gatehouse::stateless
