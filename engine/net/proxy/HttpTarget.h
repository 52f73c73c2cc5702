// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>

namespace gatehouse {

// Where an MCP server is reached over HTTP, and the headers Gatehouse adds for it (e.g. an API key;
// never the client's own credentials).
struct HttpTarget
{
    QUrl url;
    QList<QPair<QByteArray, QByteArray>> headers;
};

} // namespace gatehouse
