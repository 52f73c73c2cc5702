// SPDX-License-Identifier: GPL-3.0-or-later
#include "SessionGrantList.h"

#include "approvals/ApprovalBroker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace gatehouse::ui {

SessionGrantList::SessionGrantList(ApprovalBroker* broker, QWidget* parent)
    : QWidget(parent)
    , m_broker(broker)
    , m_title(new QLabel(this))
    , m_rows(new QVBoxLayout)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_title);
    m_rows->setSpacing(2);
    layout->addLayout(m_rows);
    connect(m_broker, &ApprovalBroker::sessionGrantsChanged, this, &SessionGrantList::rebuild);
    rebuild();
}

void SessionGrantList::rebuild()
{
    while (QLayoutItem* item = m_rows->takeAt(0)) {
        if (QWidget* w = item->widget()) {
            w->hide();
            w->deleteLater(); // its Take back may be what got us here
        }
        delete item;
    }
    const QList<SessionGrant> grants = m_broker->sessionGrants();
    m_count = int(grants.size());
    setVisible(!grants.isEmpty());
    m_title->setText(tr("<b>Allowed for the session</b> (%1)").arg(grants.size()));
    for (const SessionGrant& g : grants) {
        auto* row = new QWidget(this);
        auto* line = new QHBoxLayout(row);
        line->setContentsMargins(0, 0, 0, 0);
        auto* text =
            new QLabel(tr("<b>%1</b> for %2 · session %3 · since %4")
                           .arg(g.tool.toHtmlEscaped(),
                                (g.client.isEmpty() ? tr("an unnamed agent") : g.client).toHtmlEscaped(),
                                g.session.left(8).toHtmlEscaped(),
                                QLocale().toString(g.created.toLocalTime().time(), QLocale::ShortFormat)),
                       row);
        text->setWordWrap(true);
        text->setToolTip(
            tr("Server %1, grant %2, session %3, allowed by %4")
                .arg(g.server, g.grant.isEmpty() ? tr("launch token") : g.grant, g.session, g.approver));
        line->addWidget(text, 1);
        auto* revoke = new QPushButton(tr("Take back"), row);
        revoke->setAutoDefault(false);
        revoke->setToolTip(tr("The next call of %1 in this session asks again").arg(g.tool));
        connect(revoke, &QPushButton::clicked, this,
                [this, g] { m_broker->revokeSessionGrant(g.session, g.server, g.tool); });
        line->addWidget(revoke);
        m_rows->addWidget(row);
    }
}

} // namespace gatehouse::ui
