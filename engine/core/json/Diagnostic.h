// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace gatehouse {

// One problem found in a JSON document: where (JSON Pointer and line:column, both 1-based) and what.
struct Diagnostic
{
    QString pointer; // "" is the whole document
    int line = 0;    // 0 when no source position is known
    int column = 0;
    QString message;

    // "POINTER (line:col): message", the form `gatehouse check` prints.
    QString toString() const;
    bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = QList<Diagnostic>;

} // namespace gatehouse
