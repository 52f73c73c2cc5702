// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/HttpServer.h"

#include <QObject>

namespace gatehouse {

class ApprovalBroker;
class ApprovalPage;

// The loopback admin API of a running proxy, under /admin, with its own bearer token:
//   GET  /admin/approvals         the calls waiting for a person, oldest first
//   POST /admin/approvals/ID      {"decision": "allow-once|allow-session|always-allow|deny|always-deny",
//                                  "note": "…"}
// `gatehouse approvals` is its client; the desktop app and other proxies' operators can be too.
class AdminEndpoint : public QObject
{
    Q_OBJECT
public:
    // `page`, if given, names each approval's page link in the list.
    AdminEndpoint(HttpServer* server, ApprovalBroker* broker, const ApprovalPage* page, QByteArray token,
                  QObject* parent = nullptr);

private:
    void onRequest(HttpConnection* connection, const HttpRequest& request);
    static void reply(HttpConnection* connection, int status, const QJsonObject& body);

    HttpServer* m_server;
    ApprovalBroker* m_broker;
    const ApprovalPage* m_page;
    QByteArray m_token;
};

} // namespace gatehouse
