// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ClientGuard.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace gatehouse::ui {

// "Guard what you already use": the servers Claude Desktop, Cursor or VS Code start themselves, with a
// check box each; the change to the client's file shown line by line before anything is written; then
// Guard adds them to Gatehouse and points the client's entries at it (ClientGuard).
class ImportDialog : public QDialog
{
    Q_OBJECT
public:
    ImportDialog(ClientGuard::Options options, QWidget* parent = nullptr);

    QComboBox* clientField() const { return m_client; }
    QLineEdit* fileField() const { return m_file; }
    QListWidget* entries() const { return m_entries; }
    QPlainTextEdit* preview() const { return m_preview; }
    QPushButton* guardButton() const { return m_guard; }
    QLabel* message() const { return m_message; }

signals:
    void guarded(const QStringList& servers, const QStringList& notes);

private:
    void readFile();
    void updatePreview();
    void guard();
    ClientConfigFile::Client client() const;
    QStringList chosen() const;

    ClientGuard::Options m_options;
    QComboBox* m_client;
    QLineEdit* m_file;
    QListWidget* m_entries;
    QPlainTextEdit* m_preview;
    QLabel* m_message;
    QPushButton* m_guard;
};

} // namespace gatehouse::ui
