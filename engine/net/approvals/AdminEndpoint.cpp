// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminEndpoint.h"

#include "ApprovalBroker.h"
#include "ApprovalPage.h"
#include "http/BearerToken.h"
#include "mcp/JsonRpc.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace gatehouse {

namespace {
QJsonObject toJson(const ApprovalRequest& r, const ApprovalBroker& broker)
{
    const bool held = !r.deadline.isValid(); // a person is looking at it: no countdown to report
    const std::optional<Approval> a = broker.approval(r.id);
    return {{QStringLiteral("id"), r.id},
            {QStringLiteral("waitingOnTheLine"), broker.waiting(r.id)},
            {QStringLiteral("calls"), a ? a->calls : 0},
            {QStringLiteral("lastCall"), a ? a->lastCall.toString(Qt::ISODateWithMs) : QString()},
            {QStringLiteral("server"), r.server},
            {QStringLiteral("session"), r.session},
            {QStringLiteral("grant"), r.grant},
            {QStringLiteral("client"), r.client},
            {QStringLiteral("held"), held},
            {QStringLiteral("tool"), r.tool},
            {QStringLiteral("arguments"), r.arguments},
            {QStringLiteral("argumentsSha256"), r.argumentsHash},
            {QStringLiteral("riskClass"), r.riskClass},
            {QStringLiteral("rule"), r.rule},
            {QStringLiteral("message"), r.message},
            {QStringLiteral("created"), r.created.toString(Qt::ISODateWithMs)},
            {QStringLiteral("deadline"),
             held ? QJsonValue() : QJsonValue(r.deadline.toString(Qt::ISODateWithMs))},
            {QStringLiteral("secondsLeft"),
             held ? QJsonValue()
                  : QJsonValue(qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(r.deadline)))}};
}
} // namespace

AdminEndpoint::AdminEndpoint(HttpServer* server, ApprovalBroker* broker, const ApprovalPage* page,
                             QByteArray token, QObject* parent)
    : QObject(parent)
    , m_server(server)
    , m_broker(broker)
    , m_page(page)
    , m_token(std::move(token))
{
    server->route("/admin", [this](HttpConnection* c, const HttpRequest& r) { onRequest(c, r); });
}

void AdminEndpoint::reply(HttpConnection* connection, int status, const QJsonObject& body)
{
    connection->respond(status, HttpHeaders().add("Content-Type", "application/json"),
                        QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void AdminEndpoint::onRequest(HttpConnection* connection, const HttpRequest& request)
{
    auto error = [connection](int status, const QString& message) {
        reply(connection, status, {{QStringLiteral("error"), message}});
    };
    if (!m_server->isOwnHost(request) || request.headerCount("origin") > 0)
        return error(
            403, QStringLiteral("forbidden: the admin API takes no browser requests and only its own Host"));
    if (!constantTimeEquals(bearerToken(request), m_token))
        return error(401, QStringLiteral("unauthorized: the admin token is required"));

    if (request.path == "/admin/approvals") {
        if (request.method != "GET")
            return error(405, QStringLiteral("use GET"));
        QJsonArray list;
        for (const ApprovalRequest& r : m_broker->pending()) {
            QJsonObject item = toJson(r, *m_broker);
            if (m_page)
                item.insert(QStringLiteral("page"), m_page->link(r.id));
            list.append(item);
        }
        return reply(connection, 200, {{QStringLiteral("approvals"), list}});
    }
    if (request.path.startsWith("/admin/approvals/")) {
        if (request.method != "POST")
            return error(405, QStringLiteral("use POST"));
        const QString id = QString::fromUtf8(request.path.mid(int(qstrlen("/admin/approvals/"))));
        const QJsonDocument body = QJsonDocument::fromJson(request.body);
        const QString decision = body.object().value(QStringLiteral("decision")).toString();
        const auto choice = approvalChoiceFromName(decision);
        if (!body.isObject() || !choice)
            return error(
                400,
                QStringLiteral("the body must be {\"decision\": \"allow-once|allow-session|always-allow|deny|"
                               "always-deny\", \"note\": \"…\"}"));
        const QString note = body.object().value(QStringLiteral("note")).toString();
        if (!m_broker->answer(id, *choice, QStringLiteral("admin-api"), note))
            return error(404,
                         QStringLiteral("no pending approval %1 (answered, expired or withdrawn)").arg(id));
        return reply(connection, 200, {{QStringLiteral("id"), id}, {QStringLiteral("decision"), decision}});
    }
    error(404, QStringLiteral("not found"));
}

} // namespace gatehouse
