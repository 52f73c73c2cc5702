// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace gatehouse::ui {

class ServedServer;

// The Server tab: how the selected server runs (its command or URL, status, last error, policy file,
// the client entry it guards) and its recent log, stderr included; Start, Stop, Restart, Edit…,
// Remove and Unguard. It shows and asks; the window does.
class ServerPane : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPane(QWidget* parent = nullptr);

    void setServer(ServedServer* server, const QString& guarding);
    ServedServer* server() const { return m_server; }
    QPlainTextEdit* log() const { return m_log; }
    QLabel* statusLabel() const { return m_status; }
    QPushButton* button(const QString& objectName) const;

signals:
    void startRequested();
    void stopRequested();
    void restartRequested();
    void editRequested();
    void removeRequested();
    void unguardRequested();

private:
    void refresh();

    QPointer<ServedServer> m_server;
    QString m_guarding;
    QLabel* m_title;
    QLabel* m_status;
    QLabel* m_details;
    QPlainTextEdit* m_log;
    QPushButton* m_start;
    QPushButton* m_stop;
    QPushButton* m_unguard;
};

} // namespace gatehouse::ui
