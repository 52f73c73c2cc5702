// SPDX-License-Identifier: GPL-3.0-or-later
#include "WhatIfPanel.h"

#include "PolicyDocument.h"
#include "Tones.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QThread>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
bool isRefusal(const QString& verdict)
{
    return verdict == u"denied" || verdict == u"hidden" || verdict == u"limited";
}

QString ruleText(const QString& rule)
{
    return rule.isEmpty() ? QStringLiteral("(no rule)") : rule;
}
} // namespace

WhatIfPanel::WhatIfPanel(PolicyDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_summary(new QLabel(this))
    , m_tree(new QTreeWidget(this))
    , m_notes(new QLabel(this))
    , m_again(new QPushButton(tr("Replay &again"), this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* title = new QLabel(tr("<b>What would change?</b> This policy, as it is in the editor, replayed "
                                "against the calls in the audit log."),
                             this);
    title->setWordWrap(true);
    layout->addWidget(title);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_tree->setColumnCount(5);
    m_tree->setHeaderLabels(
        {tr("Tool"), tr("Change"), tr("Calls"), tr("Decided now by"), tr("Decided then by")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->setAccessibleName(tr("Calls that would be decided differently"));
    layout->addWidget(m_tree, 1);
    m_notes->setWordWrap(true);
    layout->addWidget(m_notes);
    layout->addWidget(m_again, 0, Qt::AlignRight);
    connect(m_again, &QPushButton::clicked, this, &WhatIfPanel::replay);

    // Edits come in bursts (typing): replay once they settle.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(700);
    connect(&m_debounce, &QTimer::timeout, this, &WhatIfPanel::replay);
    connect(m_document, &PolicyDocument::policyChanged, this, [this] {
        if (isVisible())
            m_debounce.start();
    });
    connect(m_document, &PolicyDocument::diagnosticsChanged, this, [this] {
        if (isVisible() && !m_document->isValid())
            showProblem(tr("The policy in the editor is not valid; what would change is shown once it is."));
    });
}

WhatIfPanel::~WhatIfPanel()
{
    ++*m_generation; // stop a replay in flight
    if (m_worker)
        m_worker->wait();
}

void WhatIfPanel::setSource(const QString& auditPath, const QString& server)
{
    m_auditPath = auditPath;
    m_server = server;
}

QString WhatIfPanel::summary() const
{
    return m_summary->text();
}

void WhatIfPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    replay();
}

void WhatIfPanel::showProblem(const QString& text)
{
    m_summary->setText(text);
    m_tree->clear();
    m_notes->clear();
}

void WhatIfPanel::replay()
{
    if (!m_document->isValid() || !m_document->policy()) {
        showProblem(tr("The policy in the editor is not valid; what would change is shown once it is."));
        return;
    }
    if (m_auditPath.isEmpty() || !QFileInfo::exists(m_auditPath)) {
        showProblem(
            tr("No audit history yet: calls made through Gatehouse are replayed here once there are some."));
        return;
    }
    if (m_running) {
        // Stop the one in flight; its end starts the next.
        ++*m_generation;
        m_again_pending = true;
        return;
    }
    m_running = true;
    m_again->setEnabled(false);
    m_summary->setText(tr("Replaying…"));
    const int generation = ++*m_generation;
    auto current = m_generation;
    const Policy draft = *m_document->policy();
    WhatIfReplay::Options options;
    options.server = m_server;
    const QString path = m_auditPath;
    QPointer<WhatIfPanel> self(this);
    if (m_worker)
        m_worker->wait();
    m_worker.reset(QThread::create([self, draft, options, path, generation, current] {
        QString error;
        const std::optional<WhatIfReplay::Report> report = WhatIfReplay::run(
            draft, path, options, &error, [&](qint64) { return current->load() == generation; });
        const bool stale = current->load() != generation;
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, report, error, stale] {
                if (!self)
                    return;
                self->m_running = false;
                self->m_again->setEnabled(true);
                if (self->m_again_pending || stale) {
                    self->m_again_pending = false;
                    self->replay();
                    return;
                }
                if (report)
                    self->show(*report);
                else
                    self->showProblem(error);
                emit self->finished();
            },
            Qt::QueuedConnection);
    }));
    m_worker->start();
}

void WhatIfPanel::show(const WhatIfReplay::Report& r)
{
    const QLocale locale;
    m_tree->clear();
    if (r.replayed == 0) {
        m_summary->setText(tr("No calls of this server in the audit log yet."));
    } else if (r.unchanged()) {
        m_summary->setText(tr("Replayed %1 calls (%2 to %3): <b>nothing</b> would be decided differently.")
                               .arg(locale.toString(r.replayed),
                                    locale.toString(r.first.toLocalTime(), QLocale::ShortFormat),
                                    locale.toString(r.last.toLocalTime(), QLocale::ShortFormat)));
    } else {
        m_summary->setText(tr("Replayed %1 calls (%2 to %3): <b>%4</b> would be decided differently.")
                               .arg(locale.toString(r.replayed),
                                    locale.toString(r.first.toLocalTime(), QLocale::ShortFormat),
                                    locale.toString(r.last.toLocalTime(), QLocale::ShortFormat),
                                    locale.toString(r.changed)));
    }
    // One top-level row per tool (its total), one child per kind of change.
    QHash<QString, QTreeWidgetItem*> tools;
    for (const WhatIfReplay::Change& c : r.changes) {
        QTreeWidgetItem*& top = tools[c.tool];
        if (!top) {
            top = new QTreeWidgetItem(m_tree, {c.tool, QString(), QStringLiteral("0")});
            top->setData(2, Qt::UserRole, qint64(0));
        }
        const qint64 total = top->data(2, Qt::UserRole).toLongLong() + c.count;
        top->setData(2, Qt::UserRole, total);
        top->setText(2, locale.toString(total));
        auto* item = new QTreeWidgetItem(top, {QString(), QStringLiteral("%1 → %2").arg(c.before, c.after),
                                               locale.toString(c.count), ruleText(c.ruleAfter),
                                               ruleText(c.ruleBefore)});
        QStringList examples;
        for (qint64 seq : c.examples)
            examples << QString::number(seq);
        item->setToolTip(1, tr("For example the calls numbered %1 in the audit log")
                                .arg(examples.join(QStringLiteral(", "))));
        // Red where the draft refuses what ran, green where it lets through what was refused.
        const bool tighter = isRefusal(c.after) || (c.after == u"needs-approval" && c.before == u"allowed");
        item->setForeground(1, tighter ? tone(Tone::Bad, palette()) : tone(Tone::Good, palette()));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        top->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_tree->expandAll();
    QStringList notes;
    if (r.unjudged > 0)
        notes << tr("%1 calls could not be judged: the rules for them read arguments the audit log did not "
                    "keep "
                    "(\"audit_arguments\": true keeps them).")
                     .arg(locale.toString(r.unjudged));
    if (r.skipped > 0)
        notes
            << tr("%1 calls were not decided by the policy (audit log or counters unavailable, tool held for "
                  "review) and are left out.")
                   .arg(locale.toString(r.skipped));
    notes << tr("Replayed in %1 s.").arg(locale.toString(r.seconds, 'f', 2));
    m_notes->setText(notes.join(u' '));
}

} // namespace gatehouse::ui
