// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/Policy.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <functional>
#include <optional>

namespace gatehouse {

// "What would change?": a draft policy replayed against the audit history. Every past tools/call is
// decided again by the draft, in time order, with fresh counters that fill and reset as they would
// have, and compared with what the policy of the day decided. Calls the policy did not decide (refused
// for a full disk, unreachable counters, held tool definitions) are skipped; calls whose draft rules
// read arguments the audit log did not keep cannot be judged and are counted apart.
class WhatIfReplay
{
public:
    struct Options
    {
        QDateTime since;     // invalid: from the first row
        QString server;      // empty: every server
        qint64 examples = 5; // call numbers (seq) kept per group
    };

    // Calls of one tool that change the same way.
    struct Change
    {
        QString tool;
        QString before; // verdict then: allowed, denied, hidden, limited, needs-approval
        QString after;  // verdict under the draft
        QString ruleBefore;
        QString ruleAfter;
        qint64 count = 0;
        QList<qint64> examples; // audit seq numbers
    };

    struct Report
    {
        qint64 replayed = 0;   // calls decided by the draft
        qint64 changed = 0;    // of those, decided differently
        qint64 unjudged = 0;   // the draft reads arguments the log did not keep
        qint64 skipped = 0;    // not decided by the policy back then
        QDateTime first, last; // the replayed span
        double seconds = 0;
        QList<Change> changes; // most frequent first
        bool unchanged() const { return changed == 0; }
    };

    // Reads the audit database read-only. nullopt with the reason when it cannot be read. `progress`
    // (may be empty) is told the rows done now and then; returning false stops the replay early.
    static std::optional<Report> run(const Policy& draft, const QString& auditPath, const Options& options,
                                     QString* error, const std::function<bool(qint64 rows)>& progress = {});

    // The verdict the policy of the day gave, from an audit row; empty for calls it did not decide.
    static QString verdictThen(const QString& verdict, const QString& rule, const QString& approver);
};

} // namespace gatehouse
