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
    struct Pair
    {
        QRgb light, dark;
    };
    static constexpr Pair tones[] = {
        {0x2e7d32, 0x81c784}, // Good
        {0xc62828, 0xef9a9a}, // Bad
        {0xb05a00, 0xffb74d}, // Warn
        {0x1565c0, 0x90caf9}, // Info
        {0x616161, 0xbdbdbd}, // Muted
        {0xad1457, 0xf48fb1}, // Failed
        {0x1e6fd9, 0x64b5f6}, // Accent
        {0x8e24aa, 0xce93d8}, // Special
        {0xe6f4e6, 0x1b3a20}, // GoodBack
        {0xfde7e7, 0x4a1c1c}, // BadBack
        {0xfff0c8, 0x4a3b12}, // WarnBack
        {0x3a2a00, 0xffe8b0}, // WarnText
    };
    static_assert(std::size(tones) == std::size_t(Tone::WarnText) + 1);
    const Pair& p = tones[std::size_t(t)];
    return QColor::fromRgb(isDark(palette) ? p.dark : p.light);
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
