// SPDX-License-Identifier: GPL-3.0-or-later
#include "Tones.h"

#include <QGuiApplication>

namespace gatehouse::ui {

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

QColor tone(Tone t, const QPalette& palette)
{
    // Light: Material 800 shades, readable on white. Dark: 300 shades, readable on near-black.
    const bool dark = isDark(palette);
    switch (t) {
    case Tone::Good:
        return dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32);
    case Tone::Bad:
        return dark ? QColor(0xef, 0x9a, 0x9a) : QColor(0xc6, 0x28, 0x28);
    case Tone::Warn:
        return dark ? QColor(0xff, 0xb7, 0x4d) : QColor(0xb0, 0x5a, 0x00);
    case Tone::Info:
        return dark ? QColor(0x90, 0xca, 0xf9) : QColor(0x15, 0x65, 0xc0);
    case Tone::Muted:
        return dark ? QColor(0xbd, 0xbd, 0xbd) : QColor(0x61, 0x61, 0x61);
    case Tone::Failed:
        return dark ? QColor(0xf4, 0x8f, 0xb1) : QColor(0xad, 0x14, 0x57);
    case Tone::Accent:
        return dark ? QColor(0x64, 0xb5, 0xf6) : QColor(0x1e, 0x6f, 0xd9);
    case Tone::GoodBack:
        return dark ? QColor(0x1b, 0x3a, 0x20) : QColor(0xe6, 0xf4, 0xe6);
    case Tone::BadBack:
        return dark ? QColor(0x4a, 0x1c, 0x1c) : QColor(0xfd, 0xe7, 0xe7);
    case Tone::WarnBack:
        return dark ? QColor(0x4a, 0x3b, 0x12) : QColor(0xff, 0xf0, 0xc8);
    case Tone::WarnText:
        return dark ? QColor(0xff, 0xe8, 0xb0) : QColor(0x3a, 0x2a, 0x00);
    }
    return palette.color(QPalette::Text);
}

QColor tone(Tone t)
{
    return tone(t, QGuiApplication::palette());
}

QString toneCss(Tone t)
{
    return tone(t).name();
}

} // namespace gatehouse::ui
