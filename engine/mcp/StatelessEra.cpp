// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatelessEra.h"

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
