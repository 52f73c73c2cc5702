// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

namespace gatehouse::ui {

// The colours that carry a meaning (a verdict, a risk, a diff line, a warning banner), one set for
// light palettes and one for dark, chosen from the palette in use: nothing in the app hard-codes a
// colour that a dark system palette would make unreadable.
enum class Tone
{
    Good,     // allowed, valid, added
    Bad,      // denied, errors, removed
    Warn,     // limited, pending approvals, tool errors
    Info,     // waiting for a person
    Muted,    // hidden, cancelled
    Failed,   // the upstream failed
    Accent,   // the app's own colour
    Special,  // a colour of its own: the Financial risk class, rejected calls in Stats
    GoodBack, // behind an added line
    BadBack,  // behind a removed line
    WarnBack, // behind a warning banner
    WarnText, // text on WarnBack
};

bool isDark(const QPalette& palette);
QColor tone(Tone t, const QPalette& palette);
QColor tone(Tone t); // from the application's palette
// For rich text: "#rrggbb".
QString toneCss(Tone t);

} // namespace gatehouse::ui
