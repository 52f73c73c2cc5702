// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonHighlighter.h"

#include <QGuiApplication>
#include <QPalette>

#ifdef GATEHOUSE_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

namespace gatehouse::ui {

namespace {
bool darkPalette()
{
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

QTextCharFormat charFormat(const QColor& color, bool bold = false)
{
    QTextCharFormat f;
    f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::DemiBold);
    return f;
}
} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument* document)
    : QSyntaxHighlighter(document)
{
    setColours();
    qApp->installEventFilter(this); // the system switched between light and dark: follow it
}

bool JsonHighlighter::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange) {
        setColours();
        rehighlight();
    }
    return QSyntaxHighlighter::eventFilter(watched, event);
}

void JsonHighlighter::setColours()
{
    const bool dark = darkPalette();
    m_key = charFormat(dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x00, 0x45, 0x8a), true);
    m_string = charFormat(dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15));
    m_number = charFormat(dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58));
    m_literal = charFormat(dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x00, 0xff), true);
    m_punctuation = charFormat(dark ? QColor(0x90, 0x90, 0x90) : QColor(0x60, 0x60, 0x60));
}

void JsonHighlighter::highlightBlock(const QString& text)
{
    // JSON strings never span lines, so each line is scanned on its own.
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text.at(i);
        if (c == u'"') {
            qsizetype j = i + 1;
            while (j < n && text.at(j) != u'"')
                j += text.at(j) == u'\\' ? 2 : 1;
            j = std::min(j + 1, n);
            qsizetype k = j;
            while (k < n && text.at(k).isSpace())
                ++k;
            setFormat(int(i), int(j - i), k < n && text.at(k) == u':' ? m_key : m_string);
            i = j;
        } else if (c == u'-' || c.isDigit()) {
            qsizetype j = i + 1;
            while (j < n && (text.at(j).isDigit() || QStringView(u".eE+-").contains(text.at(j))))
                ++j;
            setFormat(int(i), int(j - i), m_number);
            i = j;
        } else if (c.isLetter()) {
            qsizetype j = i;
            while (j < n && text.at(j).isLetter())
                ++j;
            setFormat(int(i), int(j - i), m_literal);
            i = j;
        } else {
            if (QStringView(u"{}[]:,").contains(c))
                setFormat(int(i), 1, m_punctuation);
            ++i;
        }
    }
}

void highlightJson(QTextDocument* document)
{
#ifdef GATEHOUSE_HAVE_KSYNTAXHIGHLIGHTING
    static KSyntaxHighlighting::Repository repository;
    auto* h = new KSyntaxHighlighting::SyntaxHighlighter(document);
    h->setTheme(repository.defaultTheme(darkPalette() ? KSyntaxHighlighting::Repository::DarkTheme
                                                      : KSyntaxHighlighting::Repository::LightTheme));
    h->setDefinition(repository.definitionForName(QStringLiteral("JSON")));
#else
    new JsonHighlighter(document);
#endif
}

} // namespace gatehouse::ui
