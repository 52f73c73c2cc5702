// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

namespace gatehouse::ui {

// "Connect your agent": where Gatehouse listens, the button that opens "Connect a client" (Claude
// Desktop, Cursor, VS Code) and the one that shows a limit biting. Shown until dismissed.
class ConnectBanner : public QFrame
{
    Q_OBJECT
public:
    struct Connection
    {
        QString url;              // the MCP endpoint
        QString token;            // bearer token of this launch
        QStringList stdioCommand; // gatehouse connect … for clients that launch a command
        QString serverName;
        QString configPath; // Gatehouse's configuration, where clients' grants go
    };
    explicit ConnectBanner(const Connection& connection, QWidget* parent = nullptr);

signals:
    void connectClient();
    void tryRiskyCall();
    void dismissed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyColours();
};

} // namespace gatehouse::ui
