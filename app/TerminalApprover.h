// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTextStream>

namespace gatehouse {
class ApprovalBroker;
struct ApprovalRequest;
} // namespace gatehouse

namespace gatehouse::cli {

// Asks on the terminal when `gatehouse serve` runs in one: each pending call is shown on stderr, and a
// line on stdin answers the oldest ("a", "s", "w", "d", "n"; optionally an id and a note).
class TerminalApprover : public QObject
{
    Q_OBJECT
public:
    TerminalApprover(ApprovalBroker* broker, QTextStream& err, QObject* parent = nullptr);

private:
    void show(const ApprovalRequest& request);
    void onLine();

    ApprovalBroker* m_broker;
    QTextStream& m_err;
    QSocketNotifier m_notifier;
    QByteArray m_buffer;
};

} // namespace gatehouse::cli
