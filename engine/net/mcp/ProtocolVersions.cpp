// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProtocolVersions.h"

#include "StatelessEra.h"

namespace gatehouse::mcp {

const QStringList& sessionEraVersions()
{
    static const QStringList versions{QStringLiteral("2024-11-05"), QStringLiteral("2025-03-26"),
                                      QStringLiteral("2025-06-18"), QStringLiteral("2025-11-25")};
    return versions;
}

QString statelessVersion()
{
    return QString::fromLatin1(stateless::Version);
}

QStringList versionsNewestFirst()
{
    QStringList versions{statelessVersion()};
    for (auto it = sessionEraVersions().crbegin(); it != sessionEraVersions().crend(); ++it)
        versions << *it;
    return versions;
}

} // namespace gatehouse::mcp
