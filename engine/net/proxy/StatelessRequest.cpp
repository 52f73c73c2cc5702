// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatelessRequest.h"

#include "StatelessBridge.h"
#include "http/HttpRequest.h"
#include "mcp/ProtocolVersions.h"
#include "mcp/StatelessEra.h"

#include <QJsonArray>

namespace gatehouse {

namespace {
using stateless::decodeHeaderValue;
const QString VersionKey = stateless::MetaPrefix + QStringLiteral("protocolVersion");
const QString CapabilitiesKey = stateless::MetaPrefix + QStringLiteral("clientCapabilities");

QJsonObject meta(const QJsonObject& message)
{
    return message.value(QStringLiteral("params"))[QStringLiteral("_meta")].toObject();
}

StatelessRefusal mismatch(const QString& header, const QString& headerValue, const QString& bodyValue)
{
    StatelessRefusal r;
    r.code = -32020;
    r.message = headerValue.isNull()
                    ? QStringLiteral("Header mismatch: %1 is required and must be %2").arg(header, bodyValue)
                    : QStringLiteral("Header mismatch: %1 is %2 but the body says %3")
                          .arg(header, headerValue, bodyValue);
    r.data = {{QStringLiteral("mismatch"),
               QJsonObject{{QStringLiteral("header"), header}, {QStringLiteral("body"), bodyValue}}}};
    return r;
}
} // namespace

bool isStatelessMessage(const QJsonObject& message, const HttpRequest& request)
{
    if (!request.header("mcp-session-id").isEmpty())
        return false;
    // The body says so, or (for a request whose _meta is missing or broken) the version header does.
    return meta(message).contains(VersionKey) ||
           decodeHeaderValue(request.header("mcp-protocol-version")) == mcp::statelessVersion();
}

bool isRemovedInStatelessEra(const QString& method)
{
    return method == u"initialize" || method == u"ping" || method == u"logging/setLevel" ||
           method == u"resources/subscribe" || method == u"resources/unsubscribe";
}

std::optional<StatelessRefusal> checkStatelessRequest(const QJsonObject& message, const HttpRequest& request)
{
    const QJsonObject m = meta(message);
    if (!m.value(VersionKey).isString()) {
        StatelessRefusal r;
        r.code = -32602;
        r.message = QStringLiteral("Invalid params: _meta[\"%1\"] (a string) is required").arg(VersionKey);
        return r;
    }
    const QString version = m.value(VersionKey).toString();
    const QByteArray versionHeader = request.header("mcp-protocol-version");
    // A header that disagrees with the body is a mismatch, whatever the version; an unsupported
    // version that both say is UnsupportedProtocolVersion.
    if (!versionHeader.isNull() && decodeHeaderValue(versionHeader) != version)
        return mismatch(QStringLiteral("MCP-Protocol-Version"), decodeHeaderValue(versionHeader), version);
    if (version != mcp::statelessVersion()) {
        StatelessRefusal r;
        r.code = -32022;
        r.message = QStringLiteral("Unsupported protocol version");
        r.data = {{QStringLiteral("supported"), QJsonArray::fromStringList(mcp::versionsNewestFirst())},
                  {QStringLiteral("requested"), m.value(VersionKey)}};
        return r;
    }
    if (!m.value(CapabilitiesKey).isObject()) {
        StatelessRefusal r;
        r.code = -32602;
        r.message =
            QStringLiteral("Invalid params: _meta[\"%1\"] (an object) is required").arg(CapabilitiesKey);
        return r;
    }
    if (versionHeader.isNull())
        return mismatch(QStringLiteral("MCP-Protocol-Version"), QString(), version);
    const QString method = message.value(QStringLiteral("method")).toString();
    const QByteArray methodHeader = request.header("mcp-method");
    if (decodeHeaderValue(methodHeader) != method)
        return mismatch(QStringLiteral("Mcp-Method"),
                        methodHeader.isNull() ? QString() : decodeHeaderValue(methodHeader), method);
    // The name a router needs without reading the body.
    QString name;
    bool named = true;
    const QJsonObject params = message.value(QStringLiteral("params")).toObject();
    if (method == u"tools/call" || method == u"prompts/get")
        name = params.value(QStringLiteral("name")).toString();
    else if (method == u"resources/read")
        name = params.value(QStringLiteral("uri")).toString();
    else
        named = false;
    if (named) {
        const QByteArray nameHeader = request.header("mcp-name");
        if (decodeHeaderValue(nameHeader) != name)
            return mismatch(QStringLiteral("Mcp-Name"),
                            nameHeader.isNull() ? QString() : decodeHeaderValue(nameHeader), name);
    }
    return std::nullopt;
}

std::optional<StatelessRefusal> checkParamHeaders(const QJsonObject& message, const HttpRequest& request,
                                                  const stateless::ParamHeaders& known)
{
    if (message.value(QStringLiteral("method")).toString() != u"tools/call")
        return std::nullopt;
    const QJsonObject params = message.value(QStringLiteral("params")).toObject();
    const QJsonObject arguments = params.value(QStringLiteral("arguments")).toObject();
    for (const auto& [argument, header] : known.value(params.value(QStringLiteral("name")).toString())) {
        const QString name = QStringLiteral("Mcp-Param-") + QString::fromLatin1(header);
        const QByteArray lower = "mcp-param-" + header.toLower();
        const bool present = request.headerCount(lower) > 0; // an empty value is a value
        const QByteArray raw = request.header(lower);
        const std::optional<QString> body = stateless::paramHeaderText(arguments.value(argument));
        if (!body) {
            if (present) // a header for an argument the body does not carry
                return mismatch(name, decodeHeaderValue(raw), QString());
            continue;
        }
        if (!present || decodeHeaderValue(raw) != *body)
            return mismatch(name, present ? QString::fromLatin1(raw.trimmed()) : QString(), *body);
    }
    return std::nullopt;
}

} // namespace gatehouse
