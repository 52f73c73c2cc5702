// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

namespace gatehouse::ui {

// "Connect your agent": ready-to-copy configurations for Claude Desktop (a stdio command), Cursor and
// VS Code (URL and token), and the button that shows a limit biting. Shown until dismissed.
class ConnectBanner : public QFrame
{
    Q_OBJECT
public:
    struct Connection
    {
        QString url;              // the MCP endpoint
        QString token;            // bearer token of this launch
        QStringList stdioCommand; // gatehouse serve --stdio … for clients that launch a command
        QString serverName;
    };
    explicit ConnectBanner(const Connection& connection, QWidget* parent = nullptr);

    static QString claudeDesktopConfig(const Connection& c);
    static QString cursorConfig(const Connection& c);
    static QString vscodeConfig(const Connection& c);

signals:
    void tryRiskyCall();
    void dismissed();
};

} // namespace gatehouse::ui
