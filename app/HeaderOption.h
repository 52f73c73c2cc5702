// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPair>
#include <QString>
#include <optional>

namespace gatehouse::cli {

// "Name: value" as --header and --header-secret take it: the name (no spaces) and the trimmed value;
// nullopt when it is not one, or carries a line break (which would smuggle in a header of its own).
inline std::optional<QPair<QString, QString>> parseHeaderOption(const QString& text)
{
    const qsizetype colon = text.indexOf(u':');
    const QString name = text.left(colon).trimmed();
    if (colon <= 0 || name.contains(u' ') || text.contains(u'\r') || text.contains(u'\n'))
        return std::nullopt;
    return QPair<QString, QString>{name, text.mid(colon + 1).trimmed()};
}

} // namespace gatehouse::cli
