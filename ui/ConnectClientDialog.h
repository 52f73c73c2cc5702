// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ClientConfigFile.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTextEdit;

namespace gatehouse::ui {

// "Connect a client": writes Gatehouse's entry into Claude Desktop's, Cursor's or VS Code's MCP config
// file (every other entry kept, the change shown as a diff first, the old file kept as a backup), or
// copies the snippet. By default the client gets a grant of its own, so its token outlives this launch
// and its calls carry its name in the monitor and the audit log. No grant is made until the person
// writes or copies.
class ConnectClientDialog : public QDialog
{
    Q_OBJECT
public:
    struct Target
    {
        QString serverName;    // the server the client will call
        QString url;           // its MCP endpoint
        QString bridgeProgram; // this program: `connect` bridges stdio-only clients
        QString configPath;    // Gatehouse's configuration file, where grants are kept
        QString launchToken;   // without a grant: valid until Gatehouse quits
    };
    explicit ConnectClientDialog(Target target, QWidget* parent = nullptr);

    void setClient(ClientConfigFile::Client client);
    void setClientConfigPath(const QString& path);
    void setUseGrant(bool on);
    QString preview() const; // the diff as shown
    QString status() const;  // what the last action did, or why it failed
    bool canWrite() const;
    bool writeConfig(); // "Write config file"
    bool copySnippet(); // "Copy snippet"

signals:
    void grantIssued(const QString& label);

private:
    ClientConfigFile::Client client() const;
    void refresh();
    // The token to write: a new grant's (saved to Gatehouse's configuration) or the launch token.
    // Empty with m_status set when the grant cannot be made.
    QByteArray issueToken(QString* grantLabel);
    void revokeGrant(const QString& label);
    void setStatus(const QString& text, bool error);

    const Target m_target;
    QComboBox* m_client = nullptr;
    QLineEdit* m_path = nullptr;
    QCheckBox* m_grant = nullptr;
    QLineEdit* m_grantLabel = nullptr;
    QLabel* m_tokenNote = nullptr;
    QTextEdit* m_preview = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_write = nullptr;
    QPushButton* m_copy = nullptr;
    QString m_previewText;
    bool m_mergeable = false;
};

} // namespace gatehouse::ui
