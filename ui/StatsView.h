// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CallTableModel.h"

#include <QHash>
#include <QWidget>
#include <array>

class QChartView;
class QTimer;

namespace gatehouse::ui {

// Counts for the Stats tab: calls per minute by status over the last hour, and all-run totals by tool
// and by the rule that refused.
class CallStats
{
public:
    static constexpr int Minutes = 60;
    using Row = std::array<int, int(CallTableModel::CallStatus::Count)>;

    void add(const CallRecord& finished);
    // Minute buckets ending at `nowMs`, oldest first.
    QList<Row> perMinute(qint64 nowMs) const;
    QList<QPair<QString, int>> topTools(int n) const;
    QList<QPair<QString, int>> topDeniedRules(int n) const;
    qint64 total() const { return m_total; }

private:
    QHash<qint64, Row> m_minutes; // minute since epoch -> counts
    QHash<QString, int> m_tools;
    QHash<QString, int> m_deniedRules;
    qint64 m_total = 0;
};

class StatsView : public QWidget
{
    Q_OBJECT
public:
    explicit StatsView(QWidget* parent = nullptr);

    void add(const CallRecord& finished)
    {
        m_stats.add(finished);
        m_dirty = true;
    }
    const CallStats& stats() const { return m_stats; }
    void refresh();

protected:
    void showEvent(QShowEvent* event) override;

private:
    CallStats m_stats;
    QChartView* m_perMinute;
    QChartView* m_tools;
    QChartView* m_rules;
    QTimer* m_timer;
    bool m_dirty = true;
};

} // namespace gatehouse::ui
