// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QQueue>

namespace gatehouse {

// Tells the policy's approval.webhook of each approval requested, decided, expired, used and withdrawn,
// so that an approver who is not at the desk hears of it. One POST at a time, in order, each with a
// bounded timeout and a few tries; a receiver that fails, hangs or is slow never delays or changes a
// decision (this only listens to the broker). Each failure is logged and reported.
//
// The body is JSON; `X-Gatehouse-Signature: t=UNIX,sha256=HEX` is the HMAC-SHA256 of "UNIX.BODY" with the
// webhook's secret, so that a receiver can tell Gatehouse's posts (and fresh ones) from anyone else's.
class ApprovalWebhook : public QObject
{
    Q_OBJECT
public:
    static constexpr int TimeoutMs = 5000;
    static constexpr int Tries = 3;

    explicit ApprovalWebhook(ApprovalBroker* broker, QObject* parent = nullptr);

    static QByteArray signature(const QByteArray& secret, qint64 unixTime, const QByteArray& body);
    int queued() const { return int(m_queue.size()) + (m_busy ? 1 : 0); }

signals:
    void delivered(const QString& url, const QString& event);
    void failed(const QString& why);

private:
    struct Post
    {
        QString url;
        QByteArray secret;
        QString event;
        QByteArray body;
        int tries = 0;
    };
    void onChanged(const Approval& approval, ApprovalEvent event);
    void sendNext();
    void send(Post post);

    QNetworkAccessManager m_nam;
    QQueue<Post> m_queue;
    bool m_busy = false;
};

} // namespace gatehouse
