// SPDX-License-Identifier: GPL-3.0-or-later
#include "PinReviewDialog.h"

#include "Tones.h"
#include "pins/ToolPins.h"

#include "json/LineDiff.h"
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTextEdit>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
QString pretty(const QJsonObject& o)
{
    return o.isEmpty() ? QString()
                       : QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}

// The two sides of a line diff, aligned: removed lines on the left, added on the right, a blank line
// opposite each, so the same line of both panes is the same place in the definition.
void sideBySide(const QString& before, const QString& after, QString* left, QString* right)
{
    QString l = QStringLiteral("<pre style='margin:0; white-space:pre-wrap'>");
    QString r = l;
    const QString removed = toneCss(Tone::BadBack), added = toneCss(Tone::GoodBack);
    QColor gapColour = QGuiApplication::palette().color(QPalette::Mid);
    gapColour.setAlpha(60);
    const QString gap = gapColour.name(QColor::HexArgb);
    auto line = [](const QString& text, const QString& background) {
        const QString escaped = text.isEmpty() ? QStringLiteral(" ") : text.toHtmlEscaped();
        return !background.isEmpty()
                   ? QStringLiteral("<span style='background:%1'>%2</span>\n").arg(background, escaped)
                   : escaped + u'\n';
    };
    for (const QString& d : lineDiff(before, after).split(u'\n')) {
        const QString text = d.mid(2);
        if (d.startsWith(u'-')) {
            l += line(text, removed);
            r += line(QString(), gap);
        } else if (d.startsWith(u'+')) {
            l += line(QString(), gap);
            r += line(text, added);
        } else {
            l += line(text, QString());
            r += line(text, QString());
        }
    }
    *left = l + QStringLiteral("</pre>");
    *right = r + QStringLiteral("</pre>");
}
} // namespace

PinReviewDialog::PinReviewDialog(ToolPins* pins, QWidget* parent)
    : QDialog(parent)
    , m_pins(pins)
    , m_list(new QListWidget(this))
    , m_heading(new QLabel(this))
    , m_pinned(new QTextEdit(this))
    , m_seen(new QTextEdit(this))
    , m_flags(new QLabel(this))
{
    setWindowTitle(tr("Review changed tools"));
    auto* layout = new QVBoxLayout(this);
    auto* intro =
        new QLabel(tr("These tools changed, or are new, since their definitions were approved. Until you "
                      "accept them, agents do not see them and cannot call them."),
                   this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* split = new QSplitter(Qt::Horizontal, this);
    m_list->setAccessibleName(tr("Held tools"));
    split->addWidget(m_list);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_heading->setWordWrap(true);
    rightLayout->addWidget(m_heading);
    auto* panes = new QHBoxLayout;
    for (QTextEdit* e : {m_pinned, m_seen}) {
        e->setReadOnly(true);
        // Wrapped: a hidden instruction at the end of a long description must not sit out of view.
        e->setLineWrapMode(QTextEdit::WidgetWidth);
        e->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        auto* column = new QVBoxLayout;
        column->addWidget(new QLabel(e == m_pinned ? tr("<b>Approved</b>") : tr("<b>Now</b>"), this));
        column->addWidget(e, 1);
        panes->addLayout(column, 1);
    }
    m_pinned->setAccessibleName(tr("Approved definition"));
    m_seen->setAccessibleName(tr("New definition"));
    // Scroll together: the panes are aligned line by line.
    for (auto [a, b] : {std::pair{m_pinned, m_seen}, std::pair{m_seen, m_pinned}}) {
        connect(a->verticalScrollBar(), &QScrollBar::valueChanged, b->verticalScrollBar(),
                &QScrollBar::setValue);
        connect(a->horizontalScrollBar(), &QScrollBar::valueChanged, b->horizontalScrollBar(),
                &QScrollBar::setValue);
    }
    rightLayout->addLayout(panes, 1);
    m_flags->setWordWrap(true);
    m_flags->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rightLayout->addWidget(m_flags);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({280, 800});
    layout->addWidget(split, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_accept = buttons->addButton(tr("&Accept this definition"), QDialogButtonBox::ActionRole);
    m_accept->setToolTip(tr("Pin the tool as it is now; agents see it and can call it again"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_accept, &QPushButton::clicked, this, [this] {
        // A flagged definition is accepted only when the person says so twice.
        if (!m_flags->text().isEmpty() &&
            QMessageBox::warning(
                this, tr("Accept a suspicious definition?"),
                tr("This definition looks like it tries to instruct the model. Accept it anyway?"),
                QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes)
            return;
        acceptCurrent();
    });
    connect(m_list, &QListWidget::currentRowChanged, this, &PinReviewDialog::showCurrent);
    connect(m_pins, &ToolPins::reviewsChanged, this, &PinReviewDialog::reload);
    resize(1100, 680);
    reload();
}

void PinReviewDialog::reload()
{
    const QString current =
        m_list->currentItem() ? m_list->currentItem()->data(Qt::UserRole).toString() : QString();
    m_list->clear();
    for (const ToolPins::Review& r : m_pins->reviews()) {
        auto* item = new QListWidgetItem(QStringLiteral("%1%2 / %3 (%4)")
                                             .arg(r.flags.isEmpty() ? QString() : QStringLiteral("⚠ "),
                                                  r.server, r.tool, r.isNew() ? tr("new") : tr("changed")),
                                         m_list);
        item->setData(Qt::UserRole, QString(r.server + u'\n' + r.tool));
        if (item->data(Qt::UserRole).toString() == current)
            m_list->setCurrentItem(item);
    }
    if (!m_list->currentItem() && m_list->count() > 0)
        m_list->setCurrentRow(0);
    showCurrent();
}

void PinReviewDialog::showCurrent()
{
    const QListWidgetItem* item = m_list->currentItem();
    m_accept->setEnabled(item != nullptr);
    if (!item) {
        m_heading->setText(tr("Nothing is held for review."));
        m_pinned->clear();
        m_seen->clear();
        m_flags->clear();
        return;
    }
    const QStringList key = item->data(Qt::UserRole).toString().split(u'\n');
    for (const ToolPins::Review& r : m_pins->reviews(key.value(0))) {
        if (r.tool != key.value(1))
            continue;
        m_heading->setText(r.isNew()
                               ? tr("<b>%1</b> is a new tool of %2, first seen %3.")
                                     .arg(r.tool.toHtmlEscaped(), r.server.toHtmlEscaped(),
                                          QLocale().toString(r.seenAt.toLocalTime(), QLocale::ShortFormat))
                               : tr("<b>%1</b> of %2 changed; seen %3.")
                                     .arg(r.tool.toHtmlEscaped(), r.server.toHtmlEscaped(),
                                          QLocale().toString(r.seenAt.toLocalTime(), QLocale::ShortFormat)));
        QString left;
        QString right;
        sideBySide(pretty(r.pinned), pretty(r.seen), &left, &right);
        m_pinned->setHtml(r.isNew() ? tr("<i>(not approved before)</i>") : left);
        m_seen->setHtml(right);
        QStringList flags;
        for (const DescriptionFlag& f : r.flags)
            flags << tr("⚠ <b>%1</b> in %2: <code>%3</code>")
                         .arg(f.reason.toHtmlEscaped(), f.where.toHtmlEscaped(), f.excerpt.toHtmlEscaped());
        m_flags->setText(flags.join(QStringLiteral("<br>")));
        m_flags->setStyleSheet(flags.isEmpty() ? QString()
                                               : QStringLiteral("color:%1").arg(toneCss(Tone::Bad)));
        return;
    }
}

QString PinReviewDialog::pinnedText() const
{
    return m_pinned->toPlainText();
}

QString PinReviewDialog::seenText() const
{
    return m_seen->toPlainText();
}

QString PinReviewDialog::flagsText() const
{
    return m_flags->text();
}

bool PinReviewDialog::acceptCurrent()
{
    const QListWidgetItem* item = m_list->currentItem();
    if (!item)
        return false;
    const QStringList key = item->data(Qt::UserRole).toString().split(u'\n');
    QString error;
    if (!m_pins->accept(key.value(0), key.value(1), &error)) {
        m_heading->setText(error.toHtmlEscaped());
        return false;
    }
    return true; // reviewsChanged reloads the list
}

} // namespace gatehouse::ui
