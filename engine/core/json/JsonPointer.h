// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace gatehouse::JsonPointer {

// RFC 6901 escaping of one reference token: "~" -> "~0", "/" -> "~1".
QString escape(const QString& token);
QString append(const QString& pointer, const QString& token);
QString append(const QString& pointer, qsizetype index);

} // namespace gatehouse::JsonPointer
