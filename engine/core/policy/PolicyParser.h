// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Policy.h"

#include "json/Diagnostic.h"
#include <QByteArray>
#include <optional>

namespace gatehouse {

struct PolicyLoad
{
    std::optional<Policy> policy; // set only when there are no errors
    Diagnostics errors;           // every problem at once, in source order
};

// Reads and validates a policy file. Nothing half-valid comes out: either a whole Policy or the
// complete list of what is wrong, each with its JSON Pointer and line:column.
class PolicyParser
{
public:
    static PolicyLoad parse(const QByteArray& utf8);
    static PolicyLoad parseFile(const QString& path);
};

} // namespace gatehouse
