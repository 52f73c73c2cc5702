// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/Decision.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <optional>

namespace gatehouse {

// One tools/call as it went through the proxy: who, what, the decision, and how it ended.
// What the live monitor shows and the audit log records.
struct CallRecord
{
    enum class Outcome
    {
        Pending,
        Answered,
        Failed,
        Refused,
        Cancelled,
        Deferred // waits for a person; the agent was told to call again
    };

    // "" for a tools/call; what else the audit log keeps in its chain names itself ("approval/decided").
    QString method;
    qint64 sequence = 0;
    QDateTime time; // when the call arrived, UTC
    QString server;
    QString session;
    QString grant;
    QString client;    // the agent's clientInfo name and version ("" when it did not say)
    QString requestId; // the client's id, as text
    QString tool;
    QJsonObject arguments;
    Verdict verdict = Verdict::Denied;
    QString rule;
    QString message;
    Outcome outcome = Outcome::Pending;
    bool resultIsError = false;
    qint64 resultBytes = 0;
    QString approver; // who allowed or rejected it, when a person was asked
    QString approvalNote;
    // "Allow with edits": the arguments as the agent sent them (`arguments` are what went out).
    std::optional<QJsonObject> originalArguments;
    QString upstreamError; // JSON-RPC error message from upstream, if any
    QElapsedTimer arrived; // monotonic, from arrival: latency in microseconds, whatever the wall clock does
    double latencyMs = 0;  // arrival to answer
    void measureLatency() { latencyMs = arrived.isValid() ? arrived.nsecsElapsed() / 1e6 : 0; }
    double upstreamMs = 0; // time the upstream took
    QJsonObject response;  // the JSON-RPC response the client got (for the monitor; the audit keeps a hash)
};

QString outcomeName(CallRecord::Outcome o);

} // namespace gatehouse

Q_DECLARE_METATYPE(gatehouse::CallRecord)
