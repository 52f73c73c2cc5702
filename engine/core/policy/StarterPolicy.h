// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Policy.h"

#include <QJsonArray>
#include <QStringList>

namespace gatehouse {

// A first policy for a server nobody has written one for, from its tools/list: each tool's risk class
// is guessed (RiskGuess) and gets the recommended rule for its class (recommendedPolicy: reading is
// allowed, writes are limited to 30 and runs to 10 a minute per grant, spending money waits for a
// person, destructive tools are hidden), and anything not listed is denied. `source` (the server's command or
// URL) goes into the description with every guess, for the person who reviews it; `guesses` gets one "tool:
// Class (reason)" line per tool.
Policy starterPolicy(const QJsonArray& tools, const QString& source, QStringList* guesses = nullptr);

// That policy written atomically and privately to `path`; an existing file is never replaced.
bool writeStarterPolicy(const QString& path, const QJsonArray& tools, const QString& source, QString* error);

} // namespace gatehouse
