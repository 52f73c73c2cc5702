// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSyntaxHighlighter>

namespace gatehouse::ui {

// Colours JSON: keys, strings, numbers, true/false/null, punctuation. The fallback when KDE's
// KSyntaxHighlighting (KF6) is not available; colours follow the palette's lightness.
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit JsonHighlighter(QTextDocument* document);

protected:
    void highlightBlock(const QString& text) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void setColours();
    QTextCharFormat m_key, m_string, m_number, m_literal, m_punctuation;
};

// Highlights a document as JSON with the best highlighter this build has. The highlighter is a child of
// the document.
void highlightJson(QTextDocument* document);

} // namespace gatehouse::ui
