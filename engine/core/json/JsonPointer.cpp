// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonPointer.h"

namespace gatehouse::JsonPointer {

QString escape(const QString& token)
{
    if (!token.contains(u'~') && !token.contains(u'/'))
        return token;
    QString out = token;
    out.replace(u'~', QStringLiteral("~0"));
    out.replace(u'/', QStringLiteral("~1"));
    return out;
}

QString append(const QString& pointer, const QString& token)
{
    return pointer + u'/' + escape(token);
}

QString append(const QString& pointer, qsizetype index)
{
    return pointer + u'/' + QString::number(index);
}

} // namespace gatehouse::JsonPointer
