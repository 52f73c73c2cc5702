// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalWebhook.h"

#include "ApprovalPage.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>
#include <QTimer>
#include <QUrl>

Q_DECLARE_LOGGING_CATEGORY(lcApprovals)

namespace gatehouse {

namespace {
QJsonObject bodyOf(const Approval& a, const QString& event, const QString& page)
{
    const ApprovalRequest& r = a.request;
    QJsonObject approval{{QStringLiteral("id"), r.id},
                         {QStringLiteral("state"), approvalStateName(a.state)},
                         {QStringLiteral("server"), r.server},
                         {QStringLiteral("tool"), r.tool},
                         {QStringLiteral("grant"), r.grant},
                         {QStringLiteral("client"), r.client},
                         {QStringLiteral("rule"), r.rule},
                         {QStringLiteral("arguments"), r.arguments},
                         {QStringLiteral("argumentsSha256"), r.argumentsHash},
                         {QStringLiteral("created"), r.created.toString(Qt::ISODateWithMs)},
                         {QStringLiteral("deadline"), r.deadline.toString(Qt::ISODateWithMs)}};
    QJsonObject body{{QStringLiteral("event"), event}, {QStringLiteral("approval"), approval}};
    if (a.state == ApprovalState::Pending) {
        body.insert(
            QStringLiteral("answerWith"),
            QStringLiteral("gatehouse approvals approve %1   (or: gatehouse approvals deny %1)").arg(r.id));
        if (!page.isEmpty())
            body.insert(QStringLiteral("page"), page);
    } else if (a.decided.isValid()) {
        body.insert(QStringLiteral("decision"),
                    QJsonObject{{QStringLiteral("allowed"), a.answer.allows()},
                                {QStringLiteral("choice"),
                                 a.answer.choice ? approvalChoiceName(*a.answer.choice) : QString()},
                                {QStringLiteral("by"), a.answer.approver},
                                {QStringLiteral("note"), a.answer.note},
                                {QStringLiteral("at"), a.decided.toString(Qt::ISODateWithMs)}});
    }
    return body;
}
} // namespace

ApprovalWebhook::ApprovalWebhook(ApprovalBroker* broker, QObject* parent)
    : QObject(parent)
{
    // From the event loop, never inside the broker's decision: a post waits for the answer, not the reverse.
    connect(broker, &ApprovalBroker::changed, this, &ApprovalWebhook::onChanged, Qt::QueuedConnection);
}

ApprovalWebhook::~ApprovalWebhook()
{
    for (auto it = m_queues.cbegin(); it != m_queues.cend(); ++it)
        if (!it->isEmpty())
            qCWarning(lcApprovals).noquote()
                << QStringLiteral("approval webhook %1: %2 posts not sent before Gatehouse stopped")
                       .arg(shown(it.key()))
                       .arg(it->size());
}

QByteArray ApprovalWebhook::signature(const QByteArray& secret, qint64 unixTime, const QByteArray& body)
{
    return QMessageAuthenticationCode::hash(QByteArray::number(unixTime) + '.' + body, secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

QString ApprovalWebhook::shown(const QString& url)
{
    return QUrl(url).toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery |
                              QUrl::RemoveFragment);
}

void ApprovalWebhook::onChanged(const Approval& approval, ApprovalEvent what)
{
    const QString url = approval.terms.webhookUrl;
    if (url.isEmpty())
        return;
    const QString event = approvalEventName(what);
    QQueue<Post>& queue = m_queues[url];
    if (queue.size() >= MaxQueued) {
        const Post dropped = queue.dequeue();
        const QString why = QStringLiteral("approval webhook %1: %2 posts waiting, the oldest (%3) dropped")
                                .arg(shown(url))
                                .arg(MaxQueued)
                                .arg(dropped.event);
        qCWarning(lcApprovals).noquote() << why;
        emit failed(why);
    }
    queue.enqueue(
        {url, approval.terms.webhookSecret, approval.terms.webhookSecretEnv, event,
         QJsonDocument(bodyOf(approval, event, m_page ? m_page->link(approval.request.id) : QString()))
             .toJson(QJsonDocument::Compact)});
    if (!m_busy.contains(url))
        sendNext(url);
}

void ApprovalWebhook::sendNext(const QString& url)
{
    QQueue<Post>& queue = m_queues[url];
    if (queue.isEmpty()) {
        m_busy.remove(url);
        return;
    }
    m_busy.insert(url);
    send(queue.dequeue());
}

void ApprovalWebhook::send(Post post)
{
    const QByteArray secret =
        post.secretEnv.isEmpty() ? post.secret.toUtf8() : qgetenv(qPrintable(post.secretEnv));
    if (secret.isEmpty()) { // never unsigned: a receiver could not tell these posts from anyone's
        const QString why = QStringLiteral("approval webhook %1 (%2): not sent, %3 is not set")
                                .arg(shown(post.url), post.event, post.secretEnv);
        qCWarning(lcApprovals).noquote() << why;
        emit failed(why);
        sendNext(post.url);
        return;
    }
    QNetworkRequest request{QUrl(post.url)};
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(TimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-Gatehouse-Event", post.event.toLatin1());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    request.setRawHeader("X-Gatehouse-Signature",
                         "t=" + QByteArray::number(now) + ",sha256=" + signature(secret, now, post.body));
    ++post.tries;
    QNetworkReply* reply = m_nam.post(request, post.body);
    reply->setReadBufferSize(MaxReplyBytes);
    // A receiver that trickles bytes keeps the transfer timeout from firing: this bounds the whole try.
    QTimer::singleShot(TimeoutMs, reply, [reply] {
        if (reply->isRunning())
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, post] { finished(reply, post); });
}

void ApprovalWebhook::finished(QNetworkReply* reply, Post post)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
        emit delivered(post.url, post.event);
        sendNext(post.url);
        return;
    }
    const QString why = QStringLiteral("approval webhook %1 (%2, try %3 of %4): %5")
                            .arg(shown(post.url), post.event)
                            .arg(post.tries)
                            .arg(Tries)
                            .arg(status ? QStringLiteral("HTTP %1").arg(status)
                                 : reply->error() == QNetworkReply::OperationCanceledError
                                     ? QStringLiteral("no answer within %1 s").arg(TimeoutMs / 1000)
                                     : reply->errorString());
    qCWarning(lcApprovals).noquote() << why;
    emit failed(why);
    if (post.tries >= Tries) {
        sendNext(post.url); // given up on this one; the approval itself is unaffected
        return;
    }
    QTimer::singleShot(1000 * post.tries * post.tries, this, [this, post] { send(post); });
}

} // namespace gatehouse
