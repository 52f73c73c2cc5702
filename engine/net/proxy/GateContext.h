// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

namespace gatehouse {

class ApprovalBroker;
class ApprovalPage;
class AuditLog;
class CounterStore;
class ToolPins;

// What every policy gate of one proxy decides with, besides its policy: the shared counters, where a
// person is asked, where calls are recorded, the tool pins, and what a failing audit log means. The
// proxy owns it and settles it before it serves; each gate is given it when it is made, and nothing
// is handed to a gate afterwards.
struct GateContext
{
    enum class AuditFailure
    {
        Refuse,  // calls are refused while the audit log cannot be written (the default)
        Continue // they run unrecorded, with a loud warning
    };

    std::shared_ptr<CounterStore> counters;
    ApprovalBroker* approvals = nullptr; // null: calls that need a person are refused
    AuditLog* audit = nullptr;           // null: nothing is recorded (tests)
    ToolPins* pins = nullptr;            // null: tool pinning is off
    AuditFailure auditFailure = AuditFailure::Refuse;
    const ApprovalPage* page = nullptr; // each approval's page; null: no links to hand out
};

} // namespace gatehouse
