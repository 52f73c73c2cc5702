// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalQueue.h"

#include "ApprovalCard.h"
#include "SessionGrantList.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
QString groupKey(const ApprovalRequest& r)
{
    return r.server + u'\x1f' + r.client + u'\x1f' + r.grant + u'\x1f' + r.tool;
}
} // namespace

ApprovalQueue::ApprovalQueue(ApprovalBroker* broker,
                             std::function<QString(const QString&, const QString&)> riskClass,
                             QWidget* parent)
    : QWidget(parent)
    , m_broker(broker)
    , m_riskClass(std::move(riskClass))
    , m_header(new QLabel(this))
    , m_empty(new QLabel(
          tr("No calls are waiting for you.\nTools whose policy says \"approve\" will ask here."), this))
    , m_allowAll(new QPushButton(this))
    , m_denyAll(new QPushButton(this))
    , m_dismissAll(new QPushButton(this))
    , m_list(new QVBoxLayout)
    , m_grants(new SessionGrantList(broker, this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    layout->addLayout(top);
    auto* bulk = new QHBoxLayout;
    bulk->addWidget(m_allowAll);
    bulk->addWidget(m_denyAll);
    bulk->addStretch();
    bulk->addWidget(m_dismissAll);
    for (QPushButton* b : {m_allowAll, m_denyAll, m_dismissAll})
        b->setAutoDefault(false);
    m_allowAll->setToolTip(tr("Allow every waiting call, including those scrolled out of view"));
    m_denyAll->setToolTip(tr("Deny every waiting call, including those scrolled out of view"));
    m_dismissAll->setToolTip(tr("Remove the calls that were already decided (missed, client gone)"));
    layout->addLayout(bulk);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // cards fit the width; never clipped
    auto* inner = new QWidget(scroll);
    auto* innerLayout = new QVBoxLayout(inner);
    innerLayout->setContentsMargins(0, 0, 0, 0);
    m_list->setSpacing(6);
    innerLayout->addLayout(m_list);
    innerLayout->addStretch();
    scroll->setWidget(inner);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_grants);

    m_arm.setSingleShot(true);
    m_arm.setTimerType(Qt::PreciseTimer);
    connect(&m_arm, &QTimer::timeout, this, [this] {
        m_bulkReady = true;
        for (QWidget* bar : std::as_const(m_groupHeaders))
            for (QPushButton* b : bar->findChildren<QPushButton*>())
                b->setEnabled(true);
        updateHeader();
    });
    connect(m_allowAll, &QPushButton::clicked, this, [this] { answerAll(ApprovalChoice::AllowOnce); });
    connect(m_denyAll, &QPushButton::clicked, this, [this] { answerAll(ApprovalChoice::Deny); });
    connect(m_dismissAll, &QPushButton::clicked, this, &ApprovalQueue::dismissFinished);
    connect(m_broker, &ApprovalBroker::requested, this, &ApprovalQueue::onRequested);
    connect(m_broker, &ApprovalBroker::resolved, this, &ApprovalQueue::onResolved);
    connect(m_broker, &ApprovalBroker::used, this, [this](const QString& id) {
        for (ApprovalCard* card : std::as_const(m_cards))
            if (card->request().id == id && !card->isOpen())
                card->markUsed();
    });
    for (const ApprovalRequest& r : m_broker->pending())
        onRequested(r);
    updateHeader();
}

QList<ApprovalCard*> ApprovalQueue::cards() const
{
    QList<ApprovalCard*> out;
    for (int i = 0; i < m_list->count(); ++i)
        if (auto* card = qobject_cast<ApprovalCard*>(m_list->itemAt(i)->widget()))
            out << card;
    return out;
}

int ApprovalQueue::openCount() const
{
    return int(std::count_if(m_cards.begin(), m_cards.end(), [](ApprovalCard* c) { return c->isOpen(); }));
}

ApprovalCard* ApprovalQueue::head() const
{
    for (ApprovalCard* c : m_cards)
        if (c->isOpen())
            return c;
    return nullptr;
}

int ApprovalQueue::positionOf(const QString& id) const
{
    int n = 0;
    for (ApprovalCard* c : m_cards) {
        if (!c->isOpen())
            continue;
        ++n;
        if (c->request().id == id)
            return n;
    }
    return 0;
}

bool ApprovalQueue::answerHead(ApprovalChoice choice)
{
    ApprovalCard* card = head();
    return card && card->answer(choice);
}

void ApprovalQueue::editHead()
{
    if (ApprovalCard* card = head())
        card->allowWithEdits();
}

void ApprovalQueue::onRequested(ApprovalRequest request)
{
    if (request.riskClass.isEmpty() && m_riskClass)
        request.riskClass = m_riskClass(request.server, request.tool);
    auto* card = new ApprovalCard(m_broker, request, this);
    connect(card, &ApprovalCard::dismissed, this, [this, card] { removeCard(card); });
    connect(card, &ApprovalCard::createRuleRequested, this, &ApprovalQueue::createRuleRequested);
    m_cards << card;
    relayout();
    updateHeader();
    emit requestArrived(request);
}

void ApprovalQueue::removeCard(ApprovalCard* card)
{
    m_cards.removeOne(card);
    m_list->removeWidget(card);
    card->hide(); // gone now, not at the next turn of the event loop
    card->deleteLater();
    relayout();
    updateHeader();
    if (m_cards.isEmpty())
        emit emptied();
}

void ApprovalQueue::onResolved(const ApprovalRequest& request, const ApprovalAnswer& answer)
{
    for (ApprovalCard* card : std::as_const(m_cards)) {
        if (card->request().id != request.id || !card->isOpen())
            continue;
        // Allowed once while nobody was on the line: the card stays until the agent comes back for it.
        // (An allowance for the session, or a rule, lets the retry through without this approval.)
        const std::optional<Approval> kept = m_broker->approval(request.id);
        const bool once = !answer.choice || *answer.choice == ApprovalChoice::AllowOnce;
        if (answer.allows() && once && kept && kept->state == ApprovalState::Allowed) {
            const QDateTime until = kept->validUntil.toLocalTime();
            const QString when = until.date() == QDate::currentDate()
                                     ? QLocale().toString(until.time(), QLocale::ShortFormat)
                                     : QLocale().toString(until, QLocale::ShortFormat);
            card->markClosed(
                answer,
                tr("Nobody was waiting: the agent's next identical call runs, once (until %1).").arg(when));
            if (answer.decidedBy == ApprovalAnswer::DecidedBy::Deadline)
                emit missed(request);
            break;
        }
        if (answer.decidedBy == ApprovalAnswer::DecidedBy::Person) {
            removeCard(card);
            return;
        }
        card->markClosed(answer);
        if (answer.decidedBy == ApprovalAnswer::DecidedBy::Deadline)
            emit missed(request);
        break;
    }
    relayout();
    updateHeader();
}

void ApprovalQueue::dismissFinished()
{
    const QList<ApprovalCard*> all = m_cards;
    for (ApprovalCard* c : all)
        if (!c->isOpen())
            removeCard(c);
}

void ApprovalQueue::answerAll(ApprovalChoice choice, const QString& group)
{
    // Bulk answers are deliberate: no reading guard, but only for the calls the button counted.
    QList<ApprovalRequest> targets;
    for (ApprovalCard* card : std::as_const(m_cards))
        if (card->isOpen() && (group.isEmpty() || groupKey(card->request()) == group))
            targets << card->request();
    for (const ApprovalRequest& r : std::as_const(targets))
        m_broker->answer(r.id, choice, QStringLiteral("app"),
                         targets.size() > 1
                             ? tr("answered with %n other call(s)", nullptr, int(targets.size()) - 1)
                             : QString());
}

void ApprovalQueue::relayout()
{
    // Waiting calls first, grouped by who asks for what (groups in the order their first call came),
    // then the finished ones. Rebuilding moves cards, and a moved card re-arms its reading guard.
    for (QWidget* bar : std::as_const(m_groupHeaders)) {
        bar->hide();
        bar->deleteLater(); // its button may be the one whose click got us here
    }
    m_groupHeaders.clear();
    while (m_list->count() > 0)
        delete m_list->takeAt(0);
    QStringList groupOrder;
    QHash<QString, QList<ApprovalCard*>> groups;
    for (ApprovalCard* c : std::as_const(m_cards)) {
        if (!c->isOpen())
            continue;
        const QString key = groupKey(c->request());
        if (!groups.contains(key))
            groupOrder << key;
        groups[key] << c;
    }
    ApprovalCard* first = head();
    for (const QString& key : std::as_const(groupOrder)) {
        const QList<ApprovalCard*>& members = groups[key];
        if (members.size() > 1) {
            const ApprovalRequest& r = members.first()->request();
            // Label above, buttons below: as narrow as the dock, never wider (a wider row would push
            // every card past the right edge).
            auto* bar = new QWidget(this);
            auto* column = new QVBoxLayout(bar);
            column->setContentsMargins(2, 0, 2, 0);
            column->setSpacing(2);
            auto* what =
                new QLabel(tr("<b>%1 × %2</b> from %3")
                               .arg(members.size())
                               .arg(r.tool.toHtmlEscaped(),
                                    (r.client.isEmpty() ? tr("an unnamed agent") : r.client).toHtmlEscaped()),
                           bar);
            what->setWordWrap(true);
            column->addWidget(what);
            auto* row = new QHBoxLayout;
            auto* allow = new QPushButton(tr("Allow these %1").arg(members.size()), bar);
            auto* deny = new QPushButton(tr("Deny these %1").arg(members.size()), bar);
            for (QPushButton* b : {allow, deny}) {
                b->setAutoDefault(false);
                b->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
                row->addWidget(b);
            }
            column->addLayout(row);
            connect(allow, &QPushButton::clicked, this,
                    [this, key] { answerAll(ApprovalChoice::AllowOnce, key); });
            connect(deny, &QPushButton::clicked, this, [this, key] { answerAll(ApprovalChoice::Deny, key); });
            m_groupHeaders << bar;
            m_list->addWidget(bar);
        }
        for (ApprovalCard* c : members)
            m_list->addWidget(c);
    }
    for (ApprovalCard* c : std::as_const(m_cards))
        if (!c->isOpen())
            m_list->addWidget(c);
    // The head in full, with the keys that answer it; the calls behind it compact, so many fit.
    for (ApprovalCard* c : std::as_const(m_cards)) {
        c->setCompact(c != first);
        c->setKeysShown(c == first);
    }
    // Bulk answers count what they answer; after a change they wait until the new count can be read
    // (a double-click must not land on an "Allow these 3" that has just appeared).
    m_bulkReady = false;
    for (QWidget* bar : std::as_const(m_groupHeaders))
        for (QPushButton* b : bar->findChildren<QPushButton*>())
            b->setEnabled(false);
    m_allowAll->setEnabled(false);
    m_denyAll->setEnabled(false);
    m_arm.start(ApprovalCard::inputGuardMs());
}

void ApprovalQueue::updateHeader()
{
    const int open = openCount();
    const int finished = int(m_cards.size()) - open;
    m_header->setText(open       ? tr("<b>%n call(s) waiting</b>", nullptr, open)
                      : finished ? tr("<b>Nothing waiting</b>")
                                 : tr("<b>Approvals</b>"));
    m_allowAll->setText(open > 1 ? tr("Allow all %1").arg(open) : tr("Allow all"));
    m_denyAll->setText(open > 1 ? tr("Deny all %1").arg(open) : tr("Deny all"));
    m_allowAll->setEnabled(open > 0 && m_bulkReady);
    m_denyAll->setEnabled(open > 0 && m_bulkReady);
    m_dismissAll->setText(tr("Dismiss %n finished", nullptr, finished));
    m_dismissAll->setVisible(finished > 0);
    m_empty->setVisible(m_cards.isEmpty());
    emit openCountChanged(open);
}

} // namespace gatehouse::ui
