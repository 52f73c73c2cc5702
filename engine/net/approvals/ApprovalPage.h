// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace gatehouse {

class ApprovalBroker;
class HttpConnection;
class HttpServer;
struct HttpRequest;

// The approval page: one link per approval that shows what the desktop card shows (tool, risk, server,
// agent, grant, rule, arguments) and takes the same answers, once.
//
// A link is /approve/ID/TOKEN, the token an HMAC-SHA256 of the id under the approvals file's own key:
// unguessable, nothing to store, and still good after a restart. It is the only way in: the answer is
// a form POST to the link itself, from the page's own origin (Origin checked, Host checked against DNS
// rebinding); the page runs no script and cannot be framed; the link is never sent on as a Referer.
// Once the approval is answered the link shows what was decided and takes nothing more.
class ApprovalPage : public QObject
{
    Q_OBJECT
public:
    explicit ApprovalPage(ApprovalBroker* broker, QObject* parent = nullptr);

    // Serves the links on this listener (the proxy's own, and the one of --approvals-listen).
    void serveOn(HttpServer* server);
    // Where links point, e.g. http://127.0.0.1:8731 (a listener that serves them).
    void setBase(const QString& base) { m_base = base; }
    // The link of an approval ("" when no listener serves links).
    QString link(const QString& approvalId) const;

    // The token of an approval's link, and whether one handed in is it (in constant time).
    QByteArray token(const QString& approvalId) const;
    bool isToken(const QString& approvalId, const QByteArray& candidate) const;

    // Who answered, as records and the audit log name it.
    static constexpr char Approver[] = "page";

private:
    void onRequest(const HttpServer* server, HttpConnection* connection, const HttpRequest& request);
    void answer(HttpConnection* connection, const HttpRequest& request, const QString& id);
    void show(HttpConnection* connection, const QString& id);

    ApprovalBroker* m_broker;
    QString m_base;
};

} // namespace gatehouse
