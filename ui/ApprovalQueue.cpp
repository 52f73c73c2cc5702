// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalQueue.h"

#include "ApprovalCard.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace gatehouse::ui {

ApprovalQueue::ApprovalQueue(ApprovalBroker* broker,
                             std::function<QString(const QString&, const QString&)> riskClass,
                             QWidget* parent)
    : QWidget(parent)
    , m_broker(broker)
    , m_riskClass(std::move(riskClass))
    , m_header(new QLabel(this))
    , m_empty(new QLabel(tr("No calls are waiting for you.\nTools whose policy says \"approve\" "
                            "will ask here."),
                         this))
    , m_allowAll(new QPushButton(tr("Allow all"), this))
    , m_denyAll(new QPushButton(tr("Deny all"), this))
    , m_list(new QVBoxLayout)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_allowAll);
    top->addWidget(m_denyAll);
    layout->addLayout(top);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget(scroll);
    auto* innerLayout = new QVBoxLayout(inner);
    innerLayout->setContentsMargins(0, 0, 0, 0);
    innerLayout->addLayout(m_list);
    innerLayout->addStretch();
    scroll->setWidget(inner);
    layout->addWidget(scroll, 1);

    connect(m_allowAll, &QPushButton::clicked, this, [this] { answerAll(ApprovalChoice::AllowOnce); });
    connect(m_denyAll, &QPushButton::clicked, this, [this] { answerAll(ApprovalChoice::Deny); });
    connect(m_broker, &ApprovalBroker::requested, this, &ApprovalQueue::onRequested);
    connect(m_broker, &ApprovalBroker::resolved, this, &ApprovalQueue::onResolved);
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
    const auto all = cards();
    return int(std::count_if(all.begin(), all.end(), [](ApprovalCard* c) { return c->isOpen(); }));
}

ApprovalCard* ApprovalQueue::head() const
{
    for (ApprovalCard* c : cards())
        if (c->isOpen())
            return c;
    return nullptr;
}

void ApprovalQueue::onRequested(ApprovalRequest request)
{
    if (request.riskClass.isEmpty() && m_riskClass)
        request.riskClass = m_riskClass(request.server, request.tool);
    auto* card = new ApprovalCard(m_broker, request, this);
    connect(card, &ApprovalCard::dismissed, this, [this, card] {
        m_list->removeWidget(card);
        card->deleteLater();
        updateHeader();
    });
    connect(card, &ApprovalCard::createRuleRequested, this, &ApprovalQueue::createRuleRequested);
    m_list->addWidget(card); // oldest first: new ones go to the bottom
    updateHeader();
    emit requestArrived(request);
}

void ApprovalQueue::onResolved(const ApprovalRequest& request, const ApprovalAnswer& answer)
{
    for (ApprovalCard* card : cards()) {
        if (card->request().id != request.id || !card->isOpen())
            continue;
        const bool byPerson = answer.outcome != ApprovalAnswer::Outcome::Cancelled &&
                              answer.outcome != ApprovalAnswer::Outcome::TimedOut &&
                              answer.approver != u"(timeout)";
        if (byPerson) {
            m_list->removeWidget(card);
            card->deleteLater();
        } else {
            card->markClosed(answer);
            if (answer.approver == u"(timeout)")
                emit missed(request);
        }
        break;
    }
    updateHeader();
}

void ApprovalQueue::answerAll(ApprovalChoice choice)
{
    for (ApprovalCard* card : cards())
        if (card->isOpen())
            card->answer(choice);
}

void ApprovalQueue::updateHeader()
{
    const int open = openCount();
    m_header->setText(open ? tr("<b>%n call(s) waiting</b>", nullptr, open) : tr("<b>Approvals</b>"));
    m_allowAll->setEnabled(open > 0);
    m_denyAll->setEnabled(open > 0);
    m_empty->setVisible(cards().isEmpty());
    emit openCountChanged(open);
}

} // namespace gatehouse::ui
