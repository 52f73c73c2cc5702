// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalCard.h"

#include "JsonEdit.h"
#include "Tones.h"
#include "ToolTableDelegate.h"

#include "json/LineDiff.h"
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFocusEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
constexpr int guardMs = ApprovalCard::InputGuardMs;

QString pretty(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}

// The engine's line diff (order and repeats count), coloured for the confirmation.
QString diffHtml(const QString& before, const QString& after)
{
    if (before == after)
        return QObject::tr("(no change: the call would go out as the agent sent it)");
    QStringList out;
    for (const QString& line : lineDiff(before, after).split(u'\n')) {
        if (line.startsWith(QLatin1String("- ")))
            out << QStringLiteral("<span style='color:%1;background:%2'>%3</span>")
                       .arg(toneCss(Tone::Bad), toneCss(Tone::BadBack), line.toHtmlEscaped());
        else if (line.startsWith(QLatin1String("+ ")))
            out << QStringLiteral("<span style='color:%1;background:%2'>%3</span>")
                       .arg(toneCss(Tone::Good), toneCss(Tone::GoodBack), line.toHtmlEscaped());
        else
            out << line.toHtmlEscaped();
    }
    return QStringLiteral("<pre>%1</pre>").arg(out.join(u'\n'));
}
} // namespace

QKeySequence ApprovalCard::keyFor(ApprovalChoice choice)
{
    // Ctrl+Shift and a letter: no menu, tab, label or text editor of the window uses these.
    switch (choice) {
    case ApprovalChoice::AllowOnce:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A);
    case ApprovalChoice::AllowForSession:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S);
    case ApprovalChoice::AlwaysAllow:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W);
    case ApprovalChoice::Deny:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D);
    case ApprovalChoice::AlwaysDeny:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N);
    }
    return {};
}

QKeySequence ApprovalCard::editKey()
{
    return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
}

ApprovalCard::ApprovalCard(ApprovalBroker* broker, const ApprovalRequest& request, QWidget* parent)
    : QFrame(parent)
    , m_broker(broker)
    , m_request(request)
    , m_onTimeout(request.onTimeout)
    , m_state(new QLabel(this))
    , m_keys(new QLabel(this))
    , m_buttons(new QWidget(this))
    , m_after(new QWidget(this))
    , m_arguments(new JsonEdit(this))
    , m_summary(new QLabel(this))
    , m_who(nullptr)
    , m_clock(new QTimer(this))
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    const QString client = request.client.isEmpty() ? tr("an agent that gave no name") : request.client;
    setAccessibleName(tr("Approval for %1 from %2").arg(request.tool, client));
    auto* layout = new QVBoxLayout(this);
    layout->setSpacing(4);
    layout->setContentsMargins(8, 6, 8, 6);
    const QString risk = request.riskClass.isEmpty() ? tr("Unknown") : request.riskClass;
    auto* title = new QLabel(tr("<b>%1</b> &nbsp;<span style='color:%2'>● %3</span> &nbsp;from <b>%4</b>")
                                 .arg(request.tool.toHtmlEscaped(), ToolTableDelegate::riskColor(risk).name(),
                                      risk.toHtmlEscaped(), client.toHtmlEscaped()),
                             this);
    title->setWordWrap(true);
    title->setObjectName(QStringLiteral("title"));
    layout->addWidget(title);
    auto* who =
        new QLabel(tr("<small>grant %1 · server %2 · rule %3</small>")
                       .arg((request.grant.isEmpty() ? tr("launch token") : request.grant).toHtmlEscaped(),
                            request.server.toHtmlEscaped(), request.rule.toHtmlEscaped()),
                   this);
    who->setWordWrap(true);
    layout->addWidget(who);
    m_who = who;
    // One line of arguments for a compact card, values as JSON (strings quoted), so that
    // label="x, confirm=false" cannot pass for two arguments: id="run-1", label="checked".
    QStringList pairs;
    for (auto it = request.arguments.begin(); it != request.arguments.end(); ++it)
        pairs << it.key() + u'=' +
                     QString::fromUtf8(QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact))
                         .mid(1)
                         .chopped(1);
    QString line = pairs.join(QStringLiteral(", "));
    static const QRegularExpression unprintable(QStringLiteral("[\\p{Cc}\\p{Cf}]"));
    line.replace(unprintable, QStringLiteral(" "));
    if (line.size() > 200)
        line = line.left(199) + QChar(0x2026);
    m_summary->setText(line);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setToolTip(pretty(request.arguments));
    m_summary->hide();
    layout->addWidget(m_summary);
    m_arguments->setReadOnly(true);
    m_arguments->setPlainText(pretty(request.arguments));
    m_arguments->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_arguments->setMaximumHeight(m_arguments->fontMetrics().height() *
                                  (std::min(4, int(m_arguments->blockCount())) + 1));
    m_arguments->setFocusPolicy(Qt::ClickFocus);
    m_arguments->setAccessibleName(tr("Arguments"));
    layout->addWidget(m_arguments);
    m_state->setWordWrap(true);
    layout->addWidget(m_state);

    auto* grid = new QGridLayout(m_buttons);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    struct B
    {
        QString text;
        ApprovalChoice choice;
        QString tip;
        int row, column;
    };
    // No "&" mnemonics: Alt+letter belongs to the window's menus, tabs and fields. keyFor() answers.
    // Row 0: the two answers a compact card keeps, then the session; row 1: the lasting ones and edit.
    const QList<B> buttons{{tr("Allow once"), ApprovalChoice::AllowOnce, tr("Let this call through"), 0, 0},
                           {tr("Deny"), ApprovalChoice::Deny, tr("Refuse this call"), 0, 1},
                           {tr("Allow session"), ApprovalChoice::AllowForSession,
                            tr("Let this tool through without asking for the rest of this agent session"), 0,
                            2},
                           {tr("Always allow"), ApprovalChoice::AlwaysAllow,
                            tr("Write \"allow\" for this tool into the policy"), 1, 0},
                           {tr("Always deny"), ApprovalChoice::AlwaysDeny,
                            tr("Write \"deny\" for this tool into the policy"), 1, 1}};
    for (const B& b : buttons) {
        auto* button = new QPushButton(b.text, m_buttons);
        button->setToolTip(
            QStringLiteral("%1 (%2)").arg(b.tip, keyFor(b.choice).toString(QKeySequence::NativeText)));
        button->setFocusPolicy(Qt::TabFocus);
        button->setAutoDefault(false);
        button->setMinimumWidth(0);
        button->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        const ApprovalChoice choice = b.choice;
        connect(button, &QPushButton::clicked, this, [this, choice] { answer(choice); });
        grid->addWidget(button, b.row, b.column);
        if (b.choice != ApprovalChoice::AllowOnce && b.choice != ApprovalChoice::Deny)
            m_more << button;
        // The default answer is what the timeout would do: it carries the countdown.
        if (choice ==
            (m_onTimeout == TimeoutOutcome::Allow ? ApprovalChoice::AllowOnce : ApprovalChoice::Deny))
            m_default = button;
    }
    auto* edits = new QPushButton(tr("Edit, allow…"), m_buttons);
    edits->setToolTip(tr("Allow with edits: change the arguments, see the difference, then let it through "
                         "(recorded in the audit) (%1)")
                          .arg(editKey().toString(QKeySequence::NativeText)));
    edits->setFocusPolicy(Qt::TabFocus);
    edits->setAutoDefault(false);
    edits->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    connect(edits, &QPushButton::clicked, this, &ApprovalCard::allowWithEdits);
    grid->addWidget(edits, 1, 2);
    m_more << edits;
    layout->addWidget(m_buttons);
    const auto key = [](ApprovalChoice c) { return keyFor(c).toString(QKeySequence::NativeText); };
    m_keys->setText(tr("<small>Keys: %1 allow once · %2 deny · %3 session · %4 always allow · %5 always deny "
                       "· %6 edit</small>")
                        .arg(key(ApprovalChoice::AllowOnce), key(ApprovalChoice::Deny),
                             key(ApprovalChoice::AllowForSession), key(ApprovalChoice::AlwaysAllow),
                             key(ApprovalChoice::AlwaysDeny), editKey().toString(QKeySequence::NativeText)));
    m_keys->setWordWrap(true);
    m_keys->setForegroundRole(QPalette::PlaceholderText);
    m_keys->hide();
    layout->addWidget(m_keys);

    auto* after = new QHBoxLayout(m_after);
    after->setContentsMargins(0, 0, 0, 0);
    auto* rule = new QPushButton(tr("Create rule…"), m_after);
    rule->setToolTip(tr("Open this tool's rule in the policy editor"));
    auto* dismiss = new QPushButton(tr("Dismiss"), m_after);
    after->addWidget(rule);
    after->addStretch();
    after->addWidget(dismiss);
    connect(rule, &QPushButton::clicked, this,
            [this] { emit createRuleRequested(m_request.server, m_request.tool); });
    connect(dismiss, &QPushButton::clicked, this, &ApprovalCard::dismissed);
    m_after->hide();
    layout->addWidget(m_after);

    // One countdown: the broker's. Whoever holds the call (this card, its twin in the pop-up or in the
    // dock, the terminal, the admin API), every card of it stops counting.
    connect(m_broker, &ApprovalBroker::held, this, [this](const QString& id) {
        if (id == m_request.id) {
            m_held = true;
            tick();
        }
    });
    if (const auto live = m_broker->request(m_request.id); live && !live->deadline.isValid())
        m_held = true;
    // Input to any part of the card passes through here first (the guard, the touch that holds).
    qApp->installEventFilter(this);
    connect(m_clock, &QTimer::timeout, this, &ApprovalCard::tick);
    m_clock->start(250);
    m_still.start();
    tick();
}

ApprovalCard::~ApprovalCard()
{
    qApp->removeEventFilter(this);
}

void ApprovalCard::setCompact(bool compact)
{
    if (m_compact == compact)
        return;
    m_compact = compact;
    if (!m_open)
        return;
    // One line of what, and the two answers that matter most (the countdown is on one of them).
    m_arguments->setVisible(!compact);
    m_who->setVisible(!compact);
    m_state->setVisible(!compact);
    for (QWidget* b : std::as_const(m_more))
        b->setVisible(!compact);
    m_summary->setVisible(compact);
}

void ApprovalCard::setKeysShown(bool shown)
{
    if (m_keys->isVisibleTo(this) == shown)
        return;
    m_keys->setVisible(shown && m_open);
    if (shown)
        rearm(); // it just became the card the keys answer
}

int ApprovalCard::inputGuardMs()
{
    return guardMs;
}

bool ApprovalCard::acceptsInput() const
{
    // On the screen, in view, still for long enough to have been read.
    return m_open && isVisible() && !visibleRegion().isEmpty() && m_still.isValid() &&
           m_still.elapsed() >= guardMs && mapToGlobal(QPoint(0, 0)) == m_stillAt;
}

void ApprovalCard::rearm()
{
    m_still.start();
    m_stillAt = isVisible() ? mapToGlobal(QPoint(0, 0)) : QPoint();
    m_restingPointer = QCursor::pos();
}

void ApprovalCard::showEvent(QShowEvent* event)
{
    QFrame::showEvent(event);
    rearm();
}

void ApprovalCard::moveEvent(QMoveEvent* event)
{
    QFrame::moveEvent(event);
    rearm();
}

void ApprovalCard::tick()
{
    if (!m_open)
        return;
    // Moved on the screen without a move of its own (its window moved, the list scrolled): read again.
    if (isVisible() && mapToGlobal(QPoint(0, 0)) != m_stillAt)
        rearm();
    if (!m_default)
        return;
    const QString base = m_onTimeout == TimeoutOutcome::Allow ? tr("Allow once") : tr("Deny");
    const auto live = m_broker->request(m_request.id);
    if (!live) { // answered; the queue closes the card
        m_default->setText(base);
        return;
    }
    // Where the agent is: on the line, or told to call again (it gets the answer when it does).
    QString agent = m_broker->waiting(m_request.id) > 0
                        ? tr("The agent is waiting for your answer.")
                        : tr("The agent is not on the line (told to call again, or it left); your answer "
                             "applies to its next identical call.");
    if (const auto a = m_broker->approval(m_request.id); a && a->calls > 1)
        agent += u' ' + tr("It has made this call %n times, last at %1.", nullptr, a->calls)
                            .arg(QLocale().toString(a->lastCall.toLocalTime().time(), QLocale::ShortFormat));
    if (m_held || !live->deadline.isValid()) {
        m_held = true;
        m_default->setText(base);
        m_state->setText(tr("<small>Held for you: no countdown until you answer. %1</small>").arg(agent));
        return;
    }
    const qint64 left = std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(live->deadline) / 1000);
    // Seconds while they matter; minutes and seconds for an approval that can wait longer.
    const QString shown = left < 100
                              ? QString::number(left)
                              : QStringLiteral("%1:%2").arg(left / 60).arg(left % 60, 2, 10, QChar(u'0'));
    m_default->setText(QStringLiteral("%1 (%2)").arg(base, shown));
    m_state->setText(
        tr("<small>%1 automatically in %2 unless you answer; touch the card to hold it. %3</small>")
            .arg(m_onTimeout == TimeoutOutcome::Allow ? tr("Allowed") : tr("Denied"),
                 left < 100 ? tr("%1 s").arg(left) : shown, agent));
}

void ApprovalCard::hold()
{
    if (m_held || !m_open)
        return;
    m_held = true;
    m_broker->hold(m_request.id);
    tick();
}

bool ApprovalCard::isMine(QObject* object) const
{
    auto* w = qobject_cast<QWidget*>(object);
    return w && (w == this || isAncestorOf(w));
}

bool ApprovalCard::eventFilter(QObject* watched, QEvent* event)
{
    const QEvent::Type type = event->type();
    if (type == QEvent::KeyPress) { // wherever it goes: a Tab into the card is the person's own move
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Tab || key == Qt::Key_Backtab)
            m_tabPressed.start();
    }
    if (!m_open || (type != QEvent::MouseButtonPress && type != QEvent::MouseButtonRelease &&
                    type != QEvent::MouseButtonDblClick && type != QEvent::MouseMove &&
                    type != QEvent::KeyPress && type != QEvent::FocusIn && type != QEvent::Enter))
        return false;
    if (!isMine(watched))
        return false;
    switch (type) {
    case QEvent::Enter:
        // The card may have come to the pointer: only a later move of the pointer is a touch.
        m_restingPointer = QCursor::pos();
        return false;
    case QEvent::MouseMove: {
        const QPoint at = static_cast<QMouseEvent*>(event)->globalPosition().toPoint();
        if (at != m_restingPointer && acceptsInput())
            hold();
        return false;
    }
    case QEvent::FocusIn: {
        // Only a Tab the person pressed just now: Qt also moves the focus "by Tab" when a focused
        // widget is hidden (a card closing), and a click's focus comes before the guard sees the click.
        const Qt::FocusReason why = static_cast<QFocusEvent*>(event)->reason();
        if ((why == Qt::TabFocusReason || why == Qt::BacktabFocusReason) && m_tabPressed.isValid() &&
            m_tabPressed.elapsed() < 200 && acceptsInput())
            hold();
        return false;
    }
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
        if (!acceptsInput()) {
            if (!m_still.isValid() || m_stillAt != mapToGlobal(QPoint(0, 0)))
                rearm();
            return true; // swallowed: meant for whatever was here a moment ago
        }
        if (type == QEvent::MouseButtonPress)
            hold();
        return false;
    default:
        return false;
    }
}

bool ApprovalCard::answer(ApprovalChoice choice, const std::optional<QJsonObject>& edited)
{
    if (!acceptsInput() && !edited)
        return false;
    return m_broker->answer(m_request.id, choice, QStringLiteral("app"), QString(), edited);
}

void ApprovalCard::allowWithEdits()
{
    if (!acceptsInput())
        return;
    hold();
    // On the heap, owned by the window: the call may be settled elsewhere (the agent leaves, the
    // terminal answers) and this card deleted while the dialog's own event loop runs.
    QPointer<ApprovalCard> self(this);
    QPointer<QDialog> box_ = new QDialog(window());
    QDialog& dialog = *box_;
    dialog.setAttribute(Qt::WA_DeleteOnClose, false);
    connect(m_broker, &ApprovalBroker::resolved, &dialog,
            [box_, id = m_request.id](const ApprovalRequest& r) {
                if (r.id == id && box_)
                    box_->reject(); // nothing left to allow
            });
    dialog.setWindowTitle(tr("Allow %1 with edited arguments").arg(m_request.tool));
    auto* layout = new QVBoxLayout(&dialog);
    auto* edit = new JsonEdit(&dialog);
    const QString original = pretty(m_request.arguments);
    edit->setPlainText(original);
    auto* diff = new QLabel(&dialog);
    diff->setTextFormat(Qt::RichText);
    diff->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* box = new QDialogButtonBox(QDialogButtonBox::Cancel, &dialog);
    QPushButton* ok = box->addButton(tr("Allow with these arguments"), QDialogButtonBox::AcceptRole);
    layout->addWidget(
        new QLabel(tr("Arguments of %1 from %2 (a JSON object):")
                       .arg(m_request.tool, m_request.client.isEmpty() ? tr("the agent") : m_request.client),
                   &dialog));
    layout->addWidget(edit, 1);
    layout->addWidget(new QLabel(tr("What changes:"), &dialog));
    layout->addWidget(diff);
    layout->addWidget(box);
    std::optional<QJsonObject> edited;
    auto update = [&] {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(edit->toPlainText().toUtf8(), &error);
        if (!doc.isObject()) {
            diff->setText(
                QStringLiteral("<span style='color:%1'>%2</span>")
                    .arg(toneCss(Tone::Bad),
                         (error.error ? error.errorString() : tr("the arguments must be a JSON object"))
                             .toHtmlEscaped()));
            edited.reset();
        } else {
            edited = doc.object();
            diff->setText(diffHtml(original, pretty(*edited)));
        }
        ok->setEnabled(edited.has_value());
    };
    connect(edit, &QPlainTextEdit::textChanged, &dialog, update);
    connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    update();
    dialog.resize(560, 460);
    const int result = dialog.exec();
    const std::optional<QJsonObject> chosen = edited;
    delete box_.data();
    if (self && result == QDialog::Accepted && chosen && m_open)
        answer(ApprovalChoice::AllowOnce, chosen);
}

void ApprovalCard::markUsed()
{
    m_state->setText(
        tr("Allowed by %1; the agent called again at %2 and took the allowance (Live calls shows "
           "how the call went).")
            .arg(m_answer.approver.toHtmlEscaped(),
                 QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
}

void ApprovalCard::markClosed(const ApprovalAnswer& a, const QString& more)
{
    m_answer = a;
    m_open = false;
    m_clock->stop();
    m_buttons->hide();
    m_keys->hide();
    m_arguments->hide(); // a finished card is its title, what happened and its actions
    m_summary->hide();
    m_who->hide();
    m_after->show();
    m_state->show();
    switch (a.outcome) {
    case ApprovalAnswer::Outcome::Cancelled:
        m_state->setText(tr("<b>Client gone</b>: the agent stopped waiting before anyone answered."));
        break;
    case ApprovalAnswer::Outcome::TimedOut:
        m_state->setText(tr("<b style='color:%1'>Missed</b>: nobody answered in time, so it was denied.")
                             .arg(toneCss(Tone::Bad)));
        break;
    case ApprovalAnswer::Outcome::Allowed:
        m_state->setText(
            a.decidedBy == ApprovalAnswer::DecidedBy::Deadline
                ? tr("<b>Missed</b>: nobody answered in time, so the policy's on_timeout allowed it.")
                : tr("Allowed by %1.").arg(a.approver.toHtmlEscaped()));
        break;
    case ApprovalAnswer::Outcome::Denied:
        m_state->setText(tr("Denied by %1.").arg(a.approver.toHtmlEscaped()));
        break;
    }
    if (!more.isEmpty())
        m_state->setText(m_state->text() + u' ' + more.toHtmlEscaped());
}

} // namespace gatehouse::ui
