// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatelessEra.h"

#include <QJsonArray>
#include <QLocale>
#include <cmath>

namespace gatehouse::stateless {

bool isEraError(int code)
{
    return code == -32020 || code == -32021 || code == -32022;
}

bool isEraRequest(const QJsonObject& message)
{
    return message
               .value(QStringLiteral(
                   "params"))[QStringLiteral("_meta")][MetaPrefix + QStringLiteral("protocolVersion")]
               .toString() == QLatin1String(Version);
}

QJsonObject withEraMeta(QJsonObject request, const QJsonObject& clientCapabilities,
                        const QJsonObject& clientInfo)
{
    QJsonObject params = request.value(QStringLiteral("params")).toObject();
    QJsonObject meta = params.value(QStringLiteral("_meta")).toObject();
    meta.insert(MetaPrefix + QStringLiteral("protocolVersion"), QLatin1String(Version));
    if (!meta.value(MetaPrefix + QStringLiteral("clientCapabilities")).isObject())
        meta.insert(MetaPrefix + QStringLiteral("clientCapabilities"), clientCapabilities);
    if (!clientInfo.isEmpty() && !meta.contains(MetaPrefix + QStringLiteral("clientInfo")))
        meta.insert(MetaPrefix + QStringLiteral("clientInfo"), clientInfo);
    params.insert(QStringLiteral("_meta"), meta);
    request.insert(QStringLiteral("params"), params);
    return request;
}

QJsonObject withoutEraMeta(const QJsonObject& request)
{
    const auto p = request.constFind(QStringLiteral("params"));
    if (p == request.constEnd() || !p->isObject())
        return request;
    QJsonObject params = p->toObject();
    const auto m = params.constFind(QStringLiteral("_meta"));
    if (m == params.constEnd())
        return request;
    QJsonObject meta = m->toObject();
    bool changed = false;
    for (const QString& key : meta.keys()) {
        if (key.startsWith(MetaPrefix)) {
            meta.remove(key);
            changed = true;
        }
    }
    if (!changed)
        return request;
    if (meta.isEmpty())
        params.remove(QStringLiteral("_meta"));
    else
        params.insert(QStringLiteral("_meta"), meta);
    QJsonObject out = request;
    out.insert(QStringLiteral("params"), params);
    return out;
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

QString decodeHeaderValue(const QByteArray& raw)
{
    const QByteArray value = raw.trimmed();
    if (!value.startsWith("=?base64?") || !value.endsWith("?=") || value.size() < 11)
        return QString::fromLatin1(value);
    const QByteArray inside = value.mid(9, value.size() - 11);
    const auto decoded = QByteArray::fromBase64Encoding(inside, QByteArray::AbortOnBase64DecodingErrors);
    if (inside.size() % 4 != 0 || decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return QString(); // null: not a value at all
    return QString::fromUtf8(decoded.decoded);
}

std::optional<QString> paramHeaderText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble()) {
        // As JavaScript writes a number (String(v)): integers plainly, others as the shortest decimal
        // that reads back the same. An integer beyond 2^53 - 1 has no exact header: none is sent.
        const double d = v.toDouble();
        constexpr double MaxSafe = 9007199254740991.0;
        if (std::trunc(d) == d)
            return std::abs(d) <= MaxSafe ? std::optional<QString>(QString::number(qint64(d))) : std::nullopt;
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    return std::nullopt;
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
        if (const std::optional<QString> text = paramHeaderText(arguments.value(argument)))
            headers.append({"Mcp-Param-" + header, encodeHeaderValue(*text)});
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
