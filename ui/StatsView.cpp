// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatsView.h"

#include "Tones.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHorizontalBarSeries>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>

namespace gatehouse::ui {

using S = CallTableModel::CallStatus;

void CallStats::add(const CallRecord& r)
{
    const S status = CallTableModel::statusOf(r);
    m_minutes[r.time.toMSecsSinceEpoch() / 60000][int(status)]++;
    m_tools[r.tool]++;
    if (status == S::Denied || status == S::Limited || status == S::Hidden || status == S::Rejected)
        m_deniedRules[r.rule.isEmpty() ? QStringLiteral("(no rule)") : r.rule]++;
    ++m_total;
    if (m_minutes.size() > 3 * Minutes) { // keep memory flat in a long run
        const qint64 oldest = r.time.toMSecsSinceEpoch() / 60000 - Minutes;
        m_minutes.removeIf([oldest](const auto& it) { return it.key() < oldest; });
    }
}

QList<CallStats::Row> CallStats::perMinute(qint64 nowMs) const
{
    QList<Row> out;
    const qint64 last = nowMs / 60000;
    for (qint64 m = last - Minutes + 1; m <= last; ++m)
        out << m_minutes.value(m, Row{});
    return out;
}

namespace {
QList<QPair<QString, int>> top(const QHash<QString, int>& counts, int n)
{
    QList<QPair<QString, int>> out;
    for (auto it = counts.begin(); it != counts.end(); ++it)
        out << qMakePair(it.key(), it.value());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out.mid(0, n);
}

// A top for a count axis of five ticks that all land on whole numbers.
int niceTop(int peak)
{
    return (std::max(4, peak) + 3) / 4 * 4;
}

// Titles, legend, axes and grid in the window's own colours: readable on a dark palette too.
void applyPalette(QChart* chart, const QPalette& p)
{
    const QColor text = p.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(50);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis* a : chart->axes()) {
        a->setLabelsColor(text);
        a->setTitleBrush(text);
        a->setGridLineColor(grid);
        a->setLinePenColor(grid);
    }
}

QChartView* makeView(const QString& title, QWidget* parent)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundVisible(false);
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

void fill(QChartView* view, QAbstractBarSeries* series, const QStringList& categories, int max,
          Qt::Orientation valueAxis)
{
    QChart* chart = view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    chart->addSeries(series);
    auto* cats = new QBarCategoryAxis;
    cats->append(categories);
    auto* values = new QValueAxis;
    values->setRange(0, niceTop(max));
    values->setTickCount(5);
    values->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(cats, valueAxis == Qt::Vertical ? Qt::AlignBottom : Qt::AlignLeft);
    chart->addAxis(values, valueAxis == Qt::Vertical ? Qt::AlignLeft : Qt::AlignBottom);
    series->attachAxis(cats);
    series->attachAxis(values);
    applyPalette(chart, view->palette());
}
} // namespace

QList<QPair<QString, int>> CallStats::topTools(int n) const
{
    return top(m_tools, n);
}

QList<QPair<QString, int>> CallStats::topDeniedRules(int n) const
{
    return top(m_deniedRules, n);
}

StatsView::StatsView(QWidget* parent)
    : QWidget(parent)
    , m_perMinute(makeView(tr("Calls per minute, last hour"), this))
    , m_tools(makeView(tr("Top tools"), this))
    , m_rules(makeView(tr("Top refusing rules"), this))
    , m_timer(new QTimer(this))
{
    auto* layout = new QGridLayout(this);
    layout->addWidget(m_perMinute, 0, 0, 1, 2);
    layout->addWidget(m_tools, 1, 0);
    layout->addWidget(m_rules, 1, 1);
    layout->setRowStretch(0, 3);
    layout->setRowStretch(1, 2);
    m_timer->setInterval(2000);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (isVisible() && m_dirty)
            refresh();
    });
    m_timer->start();
}

void StatsView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refresh();
}

void StatsView::refresh()
{
    m_dirty = false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<CallStats::Row> minutes = m_stats.perMinute(now);
    const qint64 firstMinuteMs = (now / 60000 - (minutes.size() - 1)) * 60000;
    // One colour per band: no two legend entries look alike.
    const QPalette pal = palette();
    const QList<std::tuple<QString, QList<S>, QColor>> groups{
        {tr("allowed"), {S::Allowed}, tone(Tone::Good, pal)},
        {tr("approved"), {S::Approved}, tone(Tone::Info, pal)},
        {tr("denied / hidden"), {S::Denied, S::Hidden}, tone(Tone::Bad, pal)},
        {tr("limited"), {S::Limited}, tone(Tone::Warn, pal)},
        {tr("rejected"), {S::Rejected}, tone(Tone::Special, pal)},
        {tr("tool error"), {S::ToolError, S::ApprovedToolError}, tone(Tone::Failed, pal)},
        {tr("failed / cancelled / awaiting approval"),
         {S::Failed, S::Cancelled, S::AwaitingApproval},
         tone(Tone::Muted, pal)}};
    // Stacked areas: each group's band sits on the sum of the groups below it.
    QChart* chart = m_perMinute->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    auto* time = new QDateTimeAxis;
    time->setFormat(QStringLiteral("HH:mm"));
    time->setRange(QDateTime::fromMSecsSinceEpoch(firstMinuteMs),
                   QDateTime::fromMSecsSinceEpoch(now / 60000 * 60000));
    time->setTickCount(7);
    auto* count = new QValueAxis;
    count->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(count, Qt::AlignLeft);
    QList<int> below(minutes.size(), 0);
    for (const auto& [name, statuses, colour] : groups) {
        auto* lower = new QLineSeries;
        auto* upper = new QLineSeries;
        for (int i = 0; i < minutes.size(); ++i) {
            int n = 0;
            for (S s : statuses)
                n += minutes[i][int(s)];
            const qreal x = qreal(firstMinuteMs + qint64(i) * 60000);
            lower->append(x, below[i]);
            upper->append(x, below[i] + n);
            below[i] += n;
        }
        auto* area = new QAreaSeries(upper, lower);
        upper->setParent(area);
        lower->setParent(area);
        area->setName(name);
        QColor c = colour;
        area->setPen(QPen(c, 1));
        c.setAlpha(170);
        area->setBrush(c);
        chart->addSeries(area);
        area->attachAxis(time);
        area->attachAxis(count);
    }
    const int peak = *std::max_element(below.begin(), below.end());
    count->setRange(0, niceTop(peak));
    count->setTickCount(5);
    applyPalette(chart, palette());

    for (auto [view, rows, colour] : {std::tuple{m_tools, m_stats.topTools(8), tone(Tone::Accent, pal)},
                                      std::tuple{m_rules, m_stats.topDeniedRules(8), tone(Tone::Bad, pal)}}) {
        auto* series = new QHorizontalBarSeries;
        auto* set = new QBarSet(tr("calls"));
        set->setColor(colour);
        QStringList names;
        int max = 0;
        for (auto it = rows.crbegin(); it != rows.crend(); ++it) { // largest at the top
            names << it->first;
            *set << it->second;
            max = std::max(max, it->second);
        }
        series->append(set);
        view->chart()->legend()->hide();
        fill(view, series, names, max, Qt::Horizontal);
    }
}

} // namespace gatehouse::ui
