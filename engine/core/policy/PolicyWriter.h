// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Policy.h"

#include <QByteArray>

namespace gatehouse {

// Writes a policy as canonical JSON: fields in the order of the specification, tools sorted by name,
// two-space indent, a final newline. Loading and saving a canonical file gives the same bytes.
class PolicyWriter
{
public:
    static QByteArray toJson(const Policy& policy);
};

} // namespace gatehouse
