// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalWebhook.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcApprovals)

namespace gatehouse {

namespace {
QJsonObject bodyOf(const Approval& a, const QString& event)
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
    connect(broker, &ApprovalBroker::changed, this, &ApprovalWebhook::onChanged);
}

QByteArray ApprovalWebhook::signature(const QByteArray& secret, qint64 unixTime, const QByteArray& body)
{
    return QMessageAuthenticationCode::hash(QByteArray::number(unixTime) + '.' + body, secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

void ApprovalWebhook::onChanged(const Approval& approval, ApprovalEvent what)
{
    if (approval.terms.webhookUrl.isEmpty())
        return;
    const QString event = approvalEventName(what);
    m_queue.enqueue({approval.terms.webhookUrl, approval.terms.webhookSecret, event,
                     QJsonDocument(bodyOf(approval, event)).toJson(QJsonDocument::Compact)});
    if (!m_busy)
        sendNext();
}

void ApprovalWebhook::sendNext()
{
    if (m_queue.isEmpty()) {
        m_busy = false;
        return;
    }
    m_busy = true;
    send(m_queue.dequeue());
}

void ApprovalWebhook::send(Post post)
{
    QNetworkRequest request{QUrl(post.url)};
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(TimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-Gatehouse-Event", post.event.toLatin1());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (!post.secret.isEmpty())
        request.setRawHeader("X-Gatehouse-Signature", "t=" + QByteArray::number(now) + ",sha256=" +
                                                          signature(post.secret, now, post.body));
    ++post.tries;
    QNetworkReply* reply = m_nam.post(request, post.body);
    connect(reply, &QNetworkReply::finished, this, [this, reply, post] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
            emit delivered(post.url, post.event);
            sendNext();
            return;
        }
        const QString why = QStringLiteral("approval webhook %1 (%2, try %3 of %4): %5")
                                .arg(post.url, post.event)
                                .arg(post.tries)
                                .arg(Tries)
                                .arg(status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString());
        qCWarning(lcApprovals).noquote() << why;
        emit failed(why);
        if (post.tries >= Tries) {
            sendNext(); // given up on this one; the approval itself is unaffected
            return;
        }
        QTimer::singleShot(1000 * post.tries * post.tries, this, [this, post] { send(post); });
    });
}

} // namespace gatehouse
