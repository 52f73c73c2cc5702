// SPDX-License-Identifier: GPL-3.0-or-later
#include "TerminalApprover.h"

#include "approvals/ApprovalBroker.h"

#include "json/JsonWriter.h"
#include <unistd.h>

namespace gatehouse::cli {

TerminalApprover::TerminalApprover(ApprovalBroker* broker, QTextStream& err, QObject* parent)
    : QObject(parent)
    , m_broker(broker)
    , m_err(err)
    , m_notifier(0, QSocketNotifier::Read)
{
    connect(broker, &ApprovalBroker::requested, this, &TerminalApprover::show);
    connect(&m_notifier, &QSocketNotifier::activated, this, &TerminalApprover::onLine);
    for (const ApprovalRequest& r : broker->pending()) // still waiting from before a restart
        show(r);
}

void TerminalApprover::show(const ApprovalRequest& r)
{
    m_err
        << "\ngatehouse: approval " << r.id << ": " << r.server << " " << r.tool << " "
        << QString::fromUtf8(JsonWriter::canonical(r.arguments).left(300)) << "\n"
        << "  asked by " << r.rule << (r.grant.isEmpty() ? QString() : QStringLiteral(", grant ") + r.grant)
        << (r.client.isEmpty() ? QString() : QStringLiteral(", from ") + r.client) << ", decide within "
        << QDateTime::currentDateTimeUtc().secsTo(r.deadline) << " s\n"
        << "  [a]llow once / allow for [s]ession / al[w]ays allow / [d]eny / always de[n]y  (then Enter) > ";
    m_err.flush();
}

void TerminalApprover::onLine()
{
    char chunk[1024];
    const ssize_t n = ::read(0, chunk, sizeof chunk);
    if (n <= 0) {
        m_notifier.setEnabled(false);
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype nl;
    while ((nl = m_buffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_buffer.left(nl)).trimmed();
        m_buffer.remove(0, nl + 1);
        const auto pending = m_broker->pending();
        if (line.isEmpty() || pending.isEmpty())
            continue;
        QStringList words = line.split(u' ', Qt::SkipEmptyParts);
        const QChar key = words.takeFirst().at(0).toLower();
        QString id = pending.first().id;
        if (!words.isEmpty() && std::any_of(pending.cbegin(), pending.cend(),
                                            [&](const ApprovalRequest& r) { return r.id == words.first(); }))
            id = words.takeFirst();
        std::optional<ApprovalChoice> choice;
        switch (key.unicode()) {
        case 'a':
            choice = ApprovalChoice::AllowOnce;
            break;
        case 's':
            choice = ApprovalChoice::AllowForSession;
            break;
        case 'w':
            choice = ApprovalChoice::AlwaysAllow;
            break;
        case 'd':
            choice = ApprovalChoice::Deny;
            break;
        case 'n':
            choice = ApprovalChoice::AlwaysDeny;
            break;
        default:
            break;
        }
        if (!choice) {
            m_err << "gatehouse: answer with a, s, w, d or n\n";
            m_err.flush();
            continue;
        }
        m_broker->answer(id, *choice, QStringLiteral("terminal"), words.join(u' '));
    }
}

} // namespace gatehouse::cli
