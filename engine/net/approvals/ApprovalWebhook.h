// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QQueue>
#include <QSet>

namespace gatehouse {

// Tells the policy's approval.webhook of each approval requested, decided, expired, used and withdrawn,
// so that an approver who is not at the desk hears of it. One POST at a time, in order, each with a
// bounded timeout and a few tries; a receiver that fails, hangs or is slow never delays or changes a
// decision (this only listens to the broker). Each failure is logged and reported.
//
// The body is JSON; `X-Gatehouse-Signature: t=UNIX,sha256=HEX` is the HMAC-SHA256 of "UNIX.BODY" with the
// webhook's secret, so that a receiver can tell Gatehouse's posts (and fresh ones) from anyone else's.
class ApprovalPage;

class ApprovalWebhook : public QObject
{
    Q_OBJECT
public:
    static constexpr int TimeoutMs = 5000; // each try, start to finish
    static constexpr int Tries = 3;
    static constexpr int MaxQueued = 100;      // per receiver; beyond that the oldest are dropped, and logged
    static constexpr int MaxReplyBytes = 4096; // what is read of a receiver's answer (it is not used)

    explicit ApprovalWebhook(ApprovalBroker* broker, QObject* parent = nullptr);
    ~ApprovalWebhook() override;

    // Posts about a pending approval carry its page's link ("page"), for answering from afar.
    void setPage(const ApprovalPage* page) { m_page = page; }

    static QByteArray signature(const QByteArray& secret, qint64 unixTime, const QByteArray& body);
    // The receiver as logs name it: scheme, host and port, never a path or query that may be its secret.
    static QString shown(const QString& url);

signals:
    void delivered(const QString& url, const QString& event);
    void failed(const QString& why);

private:
    struct Post
    {
        QString url;
        QString secret;    // the secret itself, or
        QString secretEnv; // the variable that holds it, read when sending
        QString event;
        QByteArray body;
        int tries = 0;
    };
    void onChanged(const Approval& approval, ApprovalEvent event);
    void sendNext(const QString& url);
    void send(Post post);
    void finished(QNetworkReply* reply, Post post);

    const ApprovalPage* m_page = nullptr;
    QNetworkAccessManager m_nam;
    QHash<QString, QQueue<Post>> m_queues; // by receiver: one slow receiver holds up only its own posts
    QSet<QString> m_busy;
};

} // namespace gatehouse
