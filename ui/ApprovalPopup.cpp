// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalPopup.h"

#include "ApprovalCard.h"
#include "ApprovalQueue.h"

#include <QGuiApplication>
#include <QLabel>
#include <QScreen>
#include <QVBoxLayout>

namespace gatehouse::ui {

ApprovalPopup::ApprovalPopup(ApprovalBroker* broker, ApprovalQueue* queue, QWidget* parent)
    : QWidget(parent,
              Qt::Tool | Qt::WindowStaysOnTopHint | Qt::FramelessWindowHint | Qt::WindowDoesNotAcceptFocus)
    , m_broker(broker)
    , m_queue(queue)
    , m_title(new QLabel(this))
{
    setAttribute(Qt::WA_ShowWithoutActivating);
    setWindowTitle(tr("Gatehouse: approval needed"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(1, 1, 1, 1);
    m_title->setContentsMargins(8, 6, 8, 0);
    layout->addWidget(m_title);
    setMinimumWidth(440);
    connect(queue, &ApprovalQueue::openCountChanged, this, &ApprovalPopup::update);
}

void ApprovalPopup::setSuppressed(bool suppressed)
{
    m_suppressed = suppressed;
    update();
}

void ApprovalPopup::update()
{
    ApprovalCard* head = m_queue->head();
    const QString headId = head ? head->request().id : QString();
    if (m_card && (m_card->request().id != headId || !m_card->isOpen())) {
        m_card->hide();
        m_card->deleteLater();
        m_card = nullptr;
    }
    if (!head || m_suppressed) {
        hide();
        return;
    }
    if (!m_card) {
        // The request as the broker has it now: held already, or its deadline as it stands.
        ApprovalRequest now = m_broker->request(headId).value_or(head->request());
        now.riskClass = head->request().riskClass; // the queue looked it up in the catalogue
        m_card = new ApprovalCard(m_broker, now, this);
        layout()->addWidget(m_card);
    }
    const int open = m_queue->openCount();
    m_title->setText(open > 1 ? tr("<b>Gatehouse</b>: approval needed · 1 of %1 waiting").arg(open)
                              : tr("<b>Gatehouse</b>: a call needs your approval"));
    adjustSize();
    place();
    show();
}

void ApprovalPopup::place()
{
    const QScreen* screen = QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect area = screen->availableGeometry();
    move(area.right() - width() - 16, area.bottom() - height() - 16);
}

} // namespace gatehouse::ui
