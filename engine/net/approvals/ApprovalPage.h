// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <optional>

namespace gatehouse {

struct Approval;
class ApprovalBroker;
class HttpConnection;
class HttpServer;
struct HttpRequest;

// The approval page: one link per approval that shows what the desktop card shows (tool, risk, server,
// agent, grant, rule, arguments) and takes the same answers, once.
//
// A link is /approve/ID/TOKEN, the token an HMAC-SHA256 of the approval (its id and when it was asked)
// under the approvals file's own key: unguessable, nothing to store, still good after a restart, and
// never good for a later approval that reuses the id. There are two kinds:
//   - an answer link, handed only to the person's own channels (the app, `gatehouse approvals list`, the
//     webhook): it answers, and it signs the browser that opens it in (an HttpOnly, SameSite=Lax
//     cookie, also an HMAC under the key);
//   - a view link, handed to the agent's client (URL elicitation): it shows the approval, and answers
//     only in a browser signed in as above. So a client cannot answer its own call with what it was
//     given (MCP: no pre-authenticated URLs; the server checks who opens it).
// The answer is a form POST to the link itself, from the page's own origin (Origin checked, Host checked
// against DNS rebinding); the page runs no script and cannot be framed; the link is never sent on as a
// Referer to another site. Once the approval is answered the link shows what was decided and takes nothing
// more.
class ApprovalPage : public QObject
{
    Q_OBJECT
public:
    enum class Link
    {
        Answer, // for the person's own channels
        View    // for the agent's client
    };

    explicit ApprovalPage(ApprovalBroker* broker, QObject* parent = nullptr);

    // Serves the links on this listener (the proxy's own, and the one of --approvals-listen).
    void serveOn(HttpServer* server);
    // Where links point, e.g. http://127.0.0.1:8731 (a listener that serves them).
    void setBase(const QString& base) { m_base = base; }
    // The link of an approval that is not over ("" when there is none, or no listener serves links).
    QString link(const QString& approvalId, Link kind = Link::Answer) const;

    // Which kind of link a token is for an approval, if it is one (compared in constant time).
    std::optional<Link> linkOf(const QString& approvalId, const QByteArray& token) const;

    // Who answered, as records and the audit log name it.
    static constexpr char Approver[] = "page";
    static constexpr char CookieName[] = "gatehouse-approver"; // + "-" and 8 hex digits of the file's key

private:
    QByteArray token(const Approval& approval, Link kind) const;
    QByteArray cookie() const;
    QByteArray cookieName() const;
    bool signedIn(const HttpRequest& request) const;
    void onRequest(const HttpServer* server, HttpConnection* connection, const HttpRequest& request);
    void answer(HttpConnection* connection, const HttpRequest& request, const QString& id, bool mayAnswer);
    void show(HttpConnection* connection, const QString& id, Link kind, bool mayAnswer);

    ApprovalBroker* m_broker;
    QString m_base;
};

} // namespace gatehouse
