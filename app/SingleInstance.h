// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLocalServer>
#include <QObject>
#include <QStringList>

namespace gatehouse::cli {

// One desktop app per user: the first launch listens on a local socket named after the user; a later
// launch finds it, hands over its arguments and exits, and the first one raises its window.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(QObject* parent = nullptr);

    // True when another instance took the arguments (this process should exit).
    bool handOver(const QStringList& arguments);
    // Starts listening for later launches. False (with the reason) if the name cannot be taken.
    bool listen(QString* error);

    static QString serverName();

signals:
    void activated(const QStringList& arguments);

private:
    QLocalServer m_server;
};

} // namespace gatehouse::cli
