// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace gatehouse {

// A tool's risk class (PolicyLayer's catalogue classes), guessed from its name, description and
// annotations, with the reason, for a starter policy a person then reviews.
struct RiskGuess
{
    QString riskClass; // Read, Write, Execute, Financial, Destructive
    QString reason;
};

RiskGuess guessRiskClass(const QJsonObject& tool);

} // namespace gatehouse
