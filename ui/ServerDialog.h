// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Config.h"

#include <QDialog>
#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QStackedWidget;

namespace gatehouse::ui {

// Add server… / Edit server…: a command with its arguments, environment and working folder, or a URL
// with headers. OK checks it the way the configuration will be read back, moves credentials into the
// keychain, writes the configuration atomically and asks the proxy to serve it at once; the dialog
// stays open with the reason when any of that fails.
class ServerDialog : public QDialog
{
    Q_OBJECT
public:
    using KeepSecrets =
        std::function<bool(const QString& server, ServerConfig& config, QStringList* moved, QString* error)>;
    // `editing` empty: a new server.
    ServerDialog(QString configPath, KeepSecrets keepSecrets, const QString& editing = {},
                 QWidget* parent = nullptr);

    QString serverName() const;
    // The server as entered (before its secrets were moved).
    std::optional<ServerConfig> entered(QString* error) const;

    QLineEdit* nameField() const { return m_name; }
    QComboBox* kindField() const { return m_kind; }
    QLineEdit* commandField() const { return m_command; }
    QPlainTextEdit* envField() const { return m_env; }
    QLineEdit* urlField() const { return m_url; }
    QPlainTextEdit* headersField() const { return m_headers; }
    QLabel* errorLabel() const { return m_error; }

    void accept() override;

signals:
    void saved(const QString& server, const QStringList& notes);

private:
    QString m_configPath;
    KeepSecrets m_keepSecrets;
    QString m_editing;
    QLineEdit* m_name;
    QComboBox* m_kind;
    QStackedWidget* m_pages;
    QLineEdit* m_command;
    QPlainTextEdit* m_env;
    QLineEdit* m_cwd;
    QLineEdit* m_url;
    QPlainTextEdit* m_headers;
    QLabel* m_error;
};

} // namespace gatehouse::ui
