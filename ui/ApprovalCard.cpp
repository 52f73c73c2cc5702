// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalCard.h"

#include "JsonEdit.h"
#include "ToolTableDelegate.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
QString pretty(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}

// Line-by-line difference of two texts, for the "Allow with edits" confirmation.
QString lineDiff(const QString& before, const QString& after)
{
    const QStringList a = before.split(u'\n'), b = after.split(u'\n');
    QStringList out;
    for (const QString& l : a)
        if (!b.contains(l))
            out << QStringLiteral("<span style='color:#c62828'>- %1</span>").arg(l.toHtmlEscaped());
    for (const QString& l : b)
        if (!a.contains(l))
            out << QStringLiteral("<span style='color:#2e7d32'>+ %1</span>").arg(l.toHtmlEscaped());
    return out.isEmpty() ? QObject::tr("(no change)") : QStringLiteral("<pre>%1</pre>").arg(out.join(u'\n'));
}
} // namespace

ApprovalCard::ApprovalCard(ApprovalBroker* broker, const ApprovalRequest& request, QWidget* parent)
    : QFrame(parent)
    , m_broker(broker)
    , m_request(request)
    , m_onTimeout(request.onTimeout)
    , m_state(new QLabel(this))
    , m_default(nullptr)
    , m_buttons(new QWidget(this))
    , m_after(new QWidget(this))
    , m_clock(new QTimer(this))
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setAccessibleName(tr("Approval for %1").arg(request.tool));
    auto* layout = new QVBoxLayout(this);
    const QString risk = request.riskClass.isEmpty() ? tr("Unknown") : request.riskClass;
    auto* title = new QLabel(QStringLiteral("<b>%1</b> &nbsp;<span style='color:%2'>● %3</span>")
                                 .arg(request.tool.toHtmlEscaped(), ToolTableDelegate::riskColor(risk).name(),
                                      risk.toHtmlEscaped()),
                             this);
    layout->addWidget(title);
    auto* who =
        new QLabel(tr("grant <b>%1</b> · server <b>%2</b> · rule <i>%3</i>")
                       .arg((request.grant.isEmpty() ? tr("(launch token)") : request.grant).toHtmlEscaped(),
                            request.server.toHtmlEscaped(), request.rule.toHtmlEscaped()),
                   this);
    who->setWordWrap(true);
    layout->addWidget(who);
    auto* args = new JsonEdit(this);
    args->setReadOnly(true);
    args->setPlainText(pretty(request.arguments));
    args->setMaximumHeight(std::min(160, args->fontMetrics().height() * (int(args->blockCount()) + 2)));
    args->setFocusPolicy(Qt::ClickFocus);
    layout->addWidget(args);
    layout->addWidget(m_state);

    auto* grid = new QGridLayout(m_buttons);
    grid->setContentsMargins(0, 0, 0, 0);
    struct B
    {
        QString text;
        ApprovalChoice choice;
        QString tip;
    };
    const QList<B> buttons{
        {tr("&Allow once"), ApprovalChoice::AllowOnce, tr("Let this call through")},
        {tr("Allow for &session"), ApprovalChoice::AllowForSession,
         tr("This tool needs no approval for the rest of this agent session")},
        {tr("Al&ways allow"), ApprovalChoice::AlwaysAllow,
         tr("Write \"allow\" for this tool into the policy")},
        {tr("&Deny"), ApprovalChoice::Deny, tr("Refuse this call")},
        {tr("Always de&ny"), ApprovalChoice::AlwaysDeny, tr("Write \"deny\" for this tool into the policy")}};
    for (int i = 0; i < buttons.size(); ++i) {
        auto* button = new QPushButton(buttons[i].text, m_buttons);
        button->setToolTip(buttons[i].tip);
        button->setFocusPolicy(Qt::TabFocus);
        const ApprovalChoice choice = buttons[i].choice;
        connect(button, &QPushButton::clicked, this, [this, choice] { answer(choice); });
        grid->addWidget(button, i < 3 ? 0 : 1, i < 3 ? i : i - 3);
        // The default answer is what the timeout would do: it carries the countdown.
        if (choice ==
            (m_onTimeout == TimeoutOutcome::Allow ? ApprovalChoice::AllowOnce : ApprovalChoice::Deny))
            m_default = button;
        button->installEventFilter(this);
    }
    auto* edits = new QPushButton(tr("Allow with &edits…"), m_buttons);
    edits->setToolTip(
        tr("Change the arguments, see the difference, then let it through (recorded in the audit)"));
    connect(edits, &QPushButton::clicked, this, &ApprovalCard::allowWithEdits);
    edits->installEventFilter(this);
    grid->addWidget(edits, 1, 2);
    layout->addWidget(m_buttons);

    auto* after = new QHBoxLayout(m_after);
    after->setContentsMargins(0, 0, 0, 0);
    auto* rule = new QPushButton(tr("Create rule from this call…"), m_after);
    auto* dismiss = new QPushButton(tr("Dismiss"), m_after);
    after->addWidget(rule);
    after->addStretch();
    after->addWidget(dismiss);
    connect(rule, &QPushButton::clicked, this,
            [this] { emit createRuleRequested(m_request.server, m_request.tool); });
    connect(dismiss, &QPushButton::clicked, this, &ApprovalCard::dismissed);
    m_after->hide();
    layout->addWidget(m_after);

    args->viewport()->installEventFilter(this);
    connect(m_clock, &QTimer::timeout, this, &ApprovalCard::tick);
    m_clock->start(250);
    tick();
}

void ApprovalCard::tick()
{
    if (!m_default || !m_open)
        return;
    const QString base = m_onTimeout == TimeoutOutcome::Allow ? tr("&Allow once") : tr("&Deny");
    if (m_held || !m_request.deadline.isValid()) {
        m_default->setText(base);
        m_state->setText(tr("<small>Countdown paused while you look at it.</small>"));
        return;
    }
    const qint64 left =
        std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(m_request.deadline) / 1000);
    m_default->setText(QStringLiteral("%1 (%2)").arg(base).arg(left));
    m_state->setText(tr("<small>%1 automatically in %2 s unless you answer.</small>")
                         .arg(m_onTimeout == TimeoutOutcome::Allow ? tr("Allowed") : tr("Denied"))
                         .arg(left));
}

void ApprovalCard::hold()
{
    if (m_held || !m_open)
        return;
    m_held = true;
    m_broker->hold(m_request.id);
    tick();
}

bool ApprovalCard::eventFilter(QObject* watched, QEvent* event)
{
    // Any interaction with the card (pointer on a button, a click, keyboard focus) pauses the countdown.
    if (event->type() == QEvent::Enter || event->type() == QEvent::MouseButtonPress ||
        event->type() == QEvent::FocusIn)
        hold();
    return QFrame::eventFilter(watched, event);
}

void ApprovalCard::mousePressEvent(QMouseEvent* event)
{
    hold();
    QFrame::mousePressEvent(event);
}

void ApprovalCard::answer(ApprovalChoice choice, const std::optional<QJsonObject>& edited)
{
    if (!m_open)
        return;
    m_broker->answer(m_request.id, choice, QStringLiteral("app"), QString(), edited);
}

void ApprovalCard::allowWithEdits()
{
    hold();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Allow %1 with edited arguments").arg(m_request.tool));
    auto* layout = new QVBoxLayout(&dialog);
    auto* edit = new JsonEdit(&dialog);
    const QString original = pretty(m_request.arguments);
    edit->setPlainText(original);
    auto* diff = new QLabel(&dialog);
    diff->setTextFormat(Qt::RichText);
    auto* box = new QDialogButtonBox(QDialogButtonBox::Cancel, &dialog);
    QPushButton* ok = box->addButton(tr("Allow with these arguments"), QDialogButtonBox::AcceptRole);
    layout->addWidget(new QLabel(tr("Arguments (JSON object):"), &dialog));
    layout->addWidget(edit, 1);
    layout->addWidget(diff);
    layout->addWidget(box);
    std::optional<QJsonObject> edited;
    auto update = [&] {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(edit->toPlainText().toUtf8(), &error);
        if (!doc.isObject()) {
            diff->setText(
                QStringLiteral("<span style='color:#c62828'>%1</span>")
                    .arg(error.error ? error.errorString() : tr("the arguments must be a JSON object")));
            edited.reset();
        } else {
            edited = doc.object();
            diff->setText(lineDiff(original, pretty(*edited)));
        }
        ok->setEnabled(edited.has_value());
    };
    connect(edit, &QPlainTextEdit::textChanged, &dialog, update);
    connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    update();
    dialog.resize(520, 420);
    if (dialog.exec() == QDialog::Accepted && edited && m_open)
        answer(ApprovalChoice::AllowOnce, edited);
}

void ApprovalCard::markClosed(const ApprovalAnswer& a)
{
    m_open = false;
    m_clock->stop();
    m_buttons->hide();
    m_after->show();
    switch (a.outcome) {
    case ApprovalAnswer::Outcome::Cancelled:
        m_state->setText(tr("<b>Client gone</b>: the agent stopped waiting before anyone answered."));
        break;
    case ApprovalAnswer::Outcome::TimedOut:
        m_state->setText(
            tr("<b style='color:#c62828'>Missed</b>: nobody answered in time, so it was denied."));
        break;
    case ApprovalAnswer::Outcome::Allowed:
        m_state->setText(
            a.approver == u"(timeout)"
                ? tr("<b>Missed</b>: nobody answered in time, so the policy's on_timeout allowed it.")
                : tr("Allowed by %1.").arg(a.approver.toHtmlEscaped()));
        break;
    case ApprovalAnswer::Outcome::Denied:
        m_state->setText(tr("Denied by %1.").arg(a.approver.toHtmlEscaped()));
        break;
    }
}

} // namespace gatehouse::ui
