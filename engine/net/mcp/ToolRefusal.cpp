// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolRefusal.h"

#include "JsonRpc.h"

#include <QJsonArray>

namespace gatehouse {

QString toolRefusalText(const Decision& d)
{
    if (d.verdict == Verdict::Limited)
        return d.message;
    return QStringLiteral("Denied by policy: ") + d.message;
}

QJsonObject toolRefusalResponse(const QJsonValue& id, const QString& tool, const Decision& d)
{
    if (d.verdict == Verdict::Hidden)
        return jsonrpc::makeError(
            id, jsonrpc::InvalidParams,
            d.rule == DecisionRule::heldForReview() ? d.message : QStringLiteral("Unknown tool: ") + tool);
    QJsonObject authorization{{QStringLiteral("reason"), QStringLiteral("insufficient_authorization")},
                              {QStringLiteral("remediation"), QStringLiteral("unavailable")}};
    if (d.verdict == Verdict::Limited)
        authorization.insert(QStringLiteral("retryAfterSeconds"), d.retryAfterSeconds);
    const QJsonObject result{
        {QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                           {QStringLiteral("text"), toolRefusalText(d)}}}},
        {QStringLiteral("isError"), true},
        {QStringLiteral("_meta"),
         QJsonObject{{QStringLiteral("io.modelcontextprotocol/authorization"), authorization}}},
    };
    return jsonrpc::makeResult(id, result);
}

QJsonObject approvalPendingResponse(const QJsonValue& id, const QString& tool, const QString& approvalId,
                                    int retryAfterSeconds)
{
    const QString text =
        QStringLiteral(
            "Waiting for approval: a person must approve this call to %1 in Gatehouse (approval %2). "
            "It has not run. Call %1 again with exactly the same arguments in about %3 seconds: "
            "once approved it runs then, once; if it was rejected you will be told so.")
            .arg(tool, approvalId)
            .arg(retryAfterSeconds);
    const QJsonObject approval{{QStringLiteral("id"), approvalId},
                               {QStringLiteral("status"), QStringLiteral("pending")},
                               {QStringLiteral("retryAfterSeconds"), retryAfterSeconds}};
    const QJsonObject result{
        {QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                           {QStringLiteral("text"), text}}}},
        {QStringLiteral("isError"), true},
        {QStringLiteral("_meta"), QJsonObject{{QLatin1String(ApprovalMetaKey), approval}}},
    };
    return jsonrpc::makeResult(id, result);
}

namespace {
QJsonObject pageElicitation(const QString& tool, const QString& approvalId, const QString& pageUrl)
{
    const QString message =
        QStringLiteral("Gatehouse holds this call to %1 for a person's approval (approval %2). Open the page "
                       "to allow or deny it; the call is then made again, and runs once if allowed.")
            .arg(tool, approvalId);
    return {{QStringLiteral("mode"), QStringLiteral("url")},
            {QStringLiteral("elicitationId"), approvalId},
            {QStringLiteral("url"), pageUrl},
            {QStringLiteral("message"), message}};
}
} // namespace

QJsonObject approvalInputRequiredResponse(const QJsonValue& id, const QString& tool,
                                          const QString& approvalId, const QString& pageUrl,
                                          const QString& requestState)
{
    const QJsonObject ask{{QStringLiteral("method"), QStringLiteral("elicitation/create")},
                          {QStringLiteral("params"), pageElicitation(tool, approvalId, pageUrl)}};
    return jsonrpc::makeResult(
        id, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
             {QStringLiteral("inputRequests"), QJsonObject{{QLatin1StringView(ApprovalInputKey), ask}}},
             {QStringLiteral("requestState"), requestState}});
}

QJsonObject approvalLinkResponse(const QJsonValue& id, const QString& tool, const QString& approvalId,
                                 const QString& pageUrl)
{
    const QJsonObject elicitation = pageElicitation(tool, approvalId, pageUrl);
    return jsonrpc::makeError(
        id, UrlElicitationRequired,
        QStringLiteral("A person must approve this call to %1 in Gatehouse (approval %2); it has not run")
            .arg(tool, approvalId),
        QJsonObject{{QStringLiteral("elicitations"), QJsonArray{elicitation}}});
}

QJsonObject elicitationCompleteNotification(const QString& approvalId)
{
    return jsonrpc::makeNotification(QStringLiteral("notifications/elicitation/complete"),
                                     {{QStringLiteral("elicitationId"), approvalId}});
}

} // namespace gatehouse
