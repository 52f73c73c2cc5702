// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonEdit.h"

#include "JsonHighlighter.h"
#include "Tones.h"

#include <QFontDatabase>
#include <QPainter>
#include <QTextBlock>

namespace gatehouse::ui {

class JsonEdit::Gutter : public QWidget
{
public:
    explicit Gutter(JsonEdit* edit)
        : QWidget(edit)
        , m_edit(edit)
    {}
    QSize sizeHint() const override { return {m_edit->lineNumberWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { m_edit->paintGutter(event); }

private:
    JsonEdit* m_edit;
};

JsonEdit::JsonEdit(QWidget* parent)
    : QPlainTextEdit(parent)
    , m_gutter(new Gutter(this))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabChangesFocus(true); // keyboard users can leave the editor; JSON needs no tabs
    connect(this, &QPlainTextEdit::blockCountChanged, this,
            [this] { setViewportMargins(lineNumberWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, &JsonEdit::updateGutter);
    setViewportMargins(lineNumberWidth(), 0, 0, 0);
    highlightJson(document());
}

void JsonEdit::setJsonDocument(QTextDocument* doc)
{
    setDocument(doc);
    doc->setDefaultFont(font());
    highlightJson(doc);
    setViewportMargins(lineNumberWidth(), 0, 0, 0);
}

int JsonEdit::lineNumberWidth() const
{
    const int digits = int(QString::number(std::max(1, blockCount())).size());
    return 12 + fontMetrics().horizontalAdvance(u'9') * std::max(3, digits);
}

void JsonEdit::resizeEvent(QResizeEvent* event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect cr = contentsRect();
    m_gutter->setGeometry(QRect(cr.left(), cr.top(), lineNumberWidth(), cr.height()));
}

void JsonEdit::updateGutter(const QRect& rect, int dy)
{
    if (dy)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
}

void JsonEdit::paintGutter(QPaintEvent* event)
{
    QPainter painter(m_gutter);
    painter.fillRect(event->rect(), palette().color(QPalette::AlternateBase));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (block.isVisible())
            painter.drawText(0, top, m_gutter->width() - 6, fontMetrics().height(), Qt::AlignRight,
                             QString::number(block.blockNumber() + 1));
        top += height;
        block = block.next();
    }
}

void JsonEdit::setDiagnostics(const Diagnostics& diagnostics)
{
    QList<QTextEdit::ExtraSelection> selections;
    for (const Diagnostic& d : diagnostics) {
        const QTextBlock block = document()->findBlockByNumber(std::max(0, d.line - 1));
        if (!block.isValid())
            continue;
        QTextEdit::ExtraSelection s;
        s.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        s.format.setUnderlineColor(tone(Tone::Bad, palette()));
        s.format.setToolTip(d.message);
        s.cursor = QTextCursor(block);
        if (d.line > 0 && d.column > 0) {
            // From the reported column to the end of the token (or line).
            const QString text = block.text();
            int start = std::min(d.column - 1, int(text.size()));
            int end = start;
            while (end < text.size() && !QStringView(u",}]").contains(text.at(end)))
                ++end;
            if (end == start)
                end = std::min(start + 1, int(text.size()));
            s.cursor.setPosition(block.position() + start);
            s.cursor.setPosition(block.position() + end, QTextCursor::KeepAnchor);
        } else {
            s.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        }
        selections << s;
    }
    setExtraSelections(selections);
}

void JsonEdit::goTo(int line, int column)
{
    const QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    if (!block.isValid())
        return;
    QTextCursor c(block);
    c.setPosition(block.position() + std::clamp(column - 1, 0, std::max(0, block.length() - 1)));
    setTextCursor(c);
    centerCursor();
    setFocus();
}

} // namespace gatehouse::ui
