// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace gatehouse {

// One tools/call as the policy sees it: what is called, with what, and by whom.
struct ToolCall
{
    QString tool;
    QJsonObject arguments;
    QString grant;   // the caller's grant label; empty when the proxy runs without grants
    QString session; // the MCP session, or another per-connection id
};

} // namespace gatehouse
