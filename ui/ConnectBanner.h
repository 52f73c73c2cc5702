// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

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
    // The servers being guarded now, each at baseUrl/mcp/NAME; `rolli`: one of them is Rolli, so the
    // demonstration can run (else the button offers a call of the person's own).
    void setServers(const QStringList& names, const QString& baseUrl, bool rolli);
    QString text() const;

signals:
    void connectClient();
    void tryRiskyCall();
    void dismissed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyColours();

    Connection m_connection;
    QLabel* m_text;
    QPushButton* m_try;
};

} // namespace gatehouse::ui
