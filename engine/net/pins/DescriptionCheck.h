// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace gatehouse {

// What in a tool's definition looks like an attempt to steer the model rather than describe the tool
// (tool poisoning): hidden-instruction tags such as <IMPORTANT>, long runs of whitespace that push
// text out of a reviewer's view, invisible characters, text addressed to the model, links. Checked in
// the description, the title and every description inside the input and output schemas.
struct DescriptionFlag
{
    QString where;   // "description", "inputSchema/properties/path/description", …
    QString reason;  // for a person
    QString excerpt; // the text that raised it, shortened
};

QList<DescriptionFlag> checkToolDefinition(const QJsonObject& tool);

} // namespace gatehouse
