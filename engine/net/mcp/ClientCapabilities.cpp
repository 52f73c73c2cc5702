// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientCapabilities.h"

namespace gatehouse::mcp {

QString capabilityFor(const QString& method)
{
    if (method == u"roots/list")
        return QStringLiteral("roots");
    if (method == u"sampling/createMessage")
        return QStringLiteral("sampling");
    if (method == u"elicitation/create")
        return QStringLiteral("elicitation");
    return {};
}

bool clientCanAnswer(const QJsonObject& capabilities, const QJsonObject& request)
{
    const QString method = request.value(QStringLiteral("method")).toString();
    const QString capability = capabilityFor(method);
    if (capability.isEmpty())
        return true;
    if (!capabilities.value(capability).isObject())
        return false;
    if (capability == u"elicitation") {
        const QJsonObject modes = capabilities.value(capability).toObject();
        const QString mode =
            request.value(QStringLiteral("params"))[QStringLiteral("mode")].toString(QStringLiteral("form"));
        // No mode named: form only, as before modes existed.
        if (modes.isEmpty())
            return mode == u"form";
        return modes.contains(mode);
    }
    return true;
}

bool takesUrlElicitation(const QJsonObject& capabilities)
{
    static const QJsonObject urlElicitation{
        {QStringLiteral("method"), QStringLiteral("elicitation/create")},
        {QStringLiteral("params"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("url")}}}};
    return clientCanAnswer(capabilities, urlElicitation);
}

} // namespace gatehouse::mcp
