// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "whatif/WhatIfReplay.h"

#include <QTimer>
#include <QWidget>
#include <atomic>
#include <memory>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace gatehouse::ui {

class PolicyDocument;

// "What would change?": the policy being edited (saved or not) replayed against the server's audit
// history, grouped by tool, then by change (allowed → limited, …) with counts and the rules that
// decide now and decided then. Replays run on a worker thread, again shortly after each edit while
// the panel is shown; an edit during a replay stops it and starts over.
class WhatIfPanel : public QWidget
{
    Q_OBJECT
public:
    WhatIfPanel(PolicyDocument* document, QWidget* parent = nullptr);
    ~WhatIfPanel() override;

    void setSource(const QString& auditPath, const QString& server);
    void replay(); // now
    bool isRunning() const { return m_running; }
    QString summary() const;
    QTreeWidget* changes() const { return m_tree; }

signals:
    void finished(); // a replay's report is shown

protected:
    void showEvent(QShowEvent* event) override;

private:
    void show(const WhatIfReplay::Report& report);
    void showProblem(const QString& text);

    PolicyDocument* m_document;
    QString m_auditPath;
    QString m_server;
    QLabel* m_summary;
    QTreeWidget* m_tree;
    QLabel* m_notes;
    QPushButton* m_again;
    QTimer m_debounce;
    bool m_running = false;
    bool m_again_pending = false;
    std::shared_ptr<std::atomic<int>> m_generation = std::make_shared<std::atomic<int>>(0);
    std::unique_ptr<QThread> m_worker;
};

} // namespace gatehouse::ui
