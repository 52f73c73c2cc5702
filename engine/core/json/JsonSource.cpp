// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonSource.h"

#include "JsonPointer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <charconv>
#include <cmath>

namespace gatehouse {

namespace {
struct SyntaxError
{
    qsizetype offset;
    QString message;
};
} // namespace

// Recursive descent over the UTF-8 bytes. Positions are tracked as line and column (in code points)
// while scanning, so no second pass is needed.
class JsonSourceParser
{
public:
    JsonSourceParser(const QByteArray& text, JsonSource& out)
        : m_text(text)
        , m_out(out)
    {}

    void run()
    {
        // Invalid sequences decode to U+FFFD, so a text that does not survive the round trip was not UTF-8.
        if (QString::fromUtf8(m_text).toUtf8() != m_text) {
            fail(QStringLiteral("the text is not valid UTF-8"), 0);
            return;
        }
        try {
            skipSpace();
            if (m_pos < m_text.size() && static_cast<uchar>(m_text[m_pos]) == 0xEF)
                skipBom();
            skipSpace();
            m_out.m_root = value(QString(), 0);
            skipSpace();
            if (m_pos < m_text.size())
                throw error(QStringLiteral("unexpected text after the JSON value"));
        } catch (const SyntaxError& e) {
            m_out.m_root = QJsonValue(QJsonValue::Undefined);
            fail(e.message, e.offset);
        }
    }

private:
    void skipBom()
    {
        if (m_text.mid(m_pos, 3) == QByteArrayLiteral("\xEF\xBB\xBF"))
            m_pos += 3;
    }

    void fail(const QString& message, qsizetype offset)
    {
        m_out.m_syntaxError = true;
        const auto p = positionOf(offset);
        m_out.m_diagnostics.append({m_pointer, p.line, p.column, message});
    }

    JsonSource::Position positionOf(qsizetype offset) const
    {
        // Scan from the last remembered position forward when possible.
        qsizetype from = 0;
        JsonSource::Position p{1, 1};
        if (offset >= m_mark.offset) {
            from = m_mark.offset;
            p = m_mark.position;
        }
        for (qsizetype i = from; i < offset && i < m_text.size(); ++i) {
            const uchar c = static_cast<uchar>(m_text[i]);
            if (c == '\n') {
                ++p.line;
                p.column = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++p.column;
            }
        }
        m_mark = {offset, p};
        return p;
    }

    SyntaxError error(const QString& message) const { return {m_pos, message}; }

    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    bool atEnd() const { return m_pos >= m_text.size(); }

    void skipSpace()
    {
        while (!atEnd()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return;
            ++m_pos;
        }
    }

    void expectLiteral(const char* word, qsizetype length)
    {
        if (m_text.mid(m_pos, length) != QByteArray(word, length))
            throw error(QStringLiteral("unexpected character; expected a JSON value"));
        m_pos += length;
    }

    QJsonValue value(const QString& pointer, int depth)
    {
        m_pointer = pointer;
        if (depth > JsonSource::MaxDepth)
            throw error(QStringLiteral("nesting is deeper than %1 levels").arg(JsonSource::MaxDepth));
        if (atEnd())
            throw error(QStringLiteral("unexpected end of text; expected a JSON value"));
        m_out.m_valueAt.insert(pointer, positionOf(m_pos));
        switch (peek()) {
        case '{':
            return object(pointer, depth);
        case '[':
            return array(pointer, depth);
        case '"':
            return string();
        case 't':
            expectLiteral("true", 4);
            return true;
        case 'f':
            expectLiteral("false", 5);
            return false;
        case 'n':
            expectLiteral("null", 4);
            return QJsonValue(QJsonValue::Null);
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
                return number();
            throw error(QStringLiteral("unexpected character '%1'; expected a JSON value")
                            .arg(QString::fromUtf8(m_text.mid(m_pos, 1))));
        }
    }

    QJsonValue object(const QString& pointer, int depth)
    {
        ++m_pos; // '{'
        QJsonObject obj;
        QSet<QString> seen;
        skipSpace();
        if (peek() == '}') {
            ++m_pos;
            return obj;
        }
        for (;;) {
            skipSpace();
            if (peek() == '}')
                throw error(QStringLiteral("trailing comma before '}'"));
            if (peek() != '"')
                throw error(atEnd() ? QStringLiteral("unexpected end of text inside an object")
                                    : QStringLiteral("expected a member name in double quotes"));
            const qsizetype keyOffset = m_pos;
            const QString key = string();
            const QString child = JsonPointer::append(pointer, key);
            const auto keyPos = positionOf(keyOffset);
            if (seen.contains(key)) {
                m_out.m_diagnostics.append(
                    {child, keyPos.line, keyPos.column, QStringLiteral("duplicate key \"%1\"").arg(key)});
            } else {
                m_out.m_keyAt.insert(child, keyPos);
            }
            seen.insert(key);
            skipSpace();
            if (peek() != ':')
                throw error(QStringLiteral("expected ':' after member name \"%1\"").arg(key));
            ++m_pos;
            skipSpace();
            obj.insert(key, value(child, depth + 1));
            m_pointer = pointer;
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                return obj;
            }
            throw error(atEnd() ? QStringLiteral("unexpected end of text; expected ',' or '}'")
                                : QStringLiteral("expected ',' or '}' after a member"));
        }
    }

    QJsonValue array(const QString& pointer, int depth)
    {
        ++m_pos; // '['
        QJsonArray arr;
        skipSpace();
        if (peek() == ']') {
            ++m_pos;
            return arr;
        }
        for (;;) {
            skipSpace();
            if (peek() == ']')
                throw error(QStringLiteral("trailing comma before ']'"));
            arr.append(value(JsonPointer::append(pointer, arr.size()), depth + 1));
            m_pointer = pointer;
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                return arr;
            }
            throw error(atEnd() ? QStringLiteral("unexpected end of text; expected ',' or ']'")
                                : QStringLiteral("expected ',' or ']' after an element"));
        }
    }

    static int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    char16_t hex4()
    {
        if (m_pos + 4 > m_text.size())
            throw error(QStringLiteral("incomplete \\u escape"));
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(m_text[m_pos + i]);
            if (h < 0)
                throw error(QStringLiteral("invalid \\u escape"));
            v = v * 16 + h;
        }
        m_pos += 4;
        return static_cast<char16_t>(v);
    }

    QString string()
    {
        ++m_pos; // opening quote
        QString out;
        qsizetype runStart = m_pos;
        auto flush = [&] { out += QString::fromUtf8(m_text.constData() + runStart, m_pos - runStart); };
        for (;;) {
            if (atEnd())
                throw error(QStringLiteral("unterminated string"));
            const uchar c = static_cast<uchar>(m_text[m_pos]);
            if (c == '"') {
                flush();
                ++m_pos;
                return out;
            }
            if (c < 0x20)
                throw error(c == '\n' ? QStringLiteral("unterminated string (line break inside a string)")
                                      : QStringLiteral("control character inside a string; escape it"));
            if (c != '\\') {
                ++m_pos;
                continue;
            }
            flush();
            ++m_pos;
            if (atEnd())
                throw error(QStringLiteral("unterminated string"));
            const char e = m_text[m_pos++];
            switch (e) {
            case '"':
                out += u'"';
                break;
            case '\\':
                out += u'\\';
                break;
            case '/':
                out += u'/';
                break;
            case 'b':
                out += u'\b';
                break;
            case 'f':
                out += u'\f';
                break;
            case 'n':
                out += u'\n';
                break;
            case 'r':
                out += u'\r';
                break;
            case 't':
                out += u'\t';
                break;
            case 'u': {
                const char16_t unit = hex4();
                out += QChar(unit);
                break;
            }
            default:
                --m_pos;
                throw error(QStringLiteral("invalid escape '\\%1'").arg(QLatin1Char(e)));
            }
            runStart = m_pos;
        }
    }

    QJsonValue number()
    {
        const qsizetype start = m_pos;
        bool integral = true;
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0') {
            ++m_pos;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9')
                ++m_pos;
        } else {
            throw error(QStringLiteral("invalid number"));
        }
        if (peek() == '.') {
            integral = false;
            ++m_pos;
            if (!(peek() >= '0' && peek() <= '9'))
                throw error(QStringLiteral("invalid number: a digit must follow '.'"));
            while (peek() >= '0' && peek() <= '9')
                ++m_pos;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (!(peek() >= '0' && peek() <= '9'))
                throw error(QStringLiteral("invalid number: a digit must follow the exponent"));
            while (peek() >= '0' && peek() <= '9')
                ++m_pos;
        }
        const char* first = m_text.constData() + start;
        const char* last = m_text.constData() + m_pos;
        if (integral) {
            qint64 v = 0;
            const auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last)
                return QJsonValue(v);
        }
        double d = 0;
        const auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc() || !std::isfinite(d))
            throw SyntaxError{start, QStringLiteral("number out of range")};
        return QJsonValue(d);
    }

    struct Mark
    {
        qsizetype offset = 0;
        JsonSource::Position position{1, 1};
    };

    const QByteArray& m_text;
    JsonSource& m_out;
    qsizetype m_pos = 0;
    QString m_pointer;
    mutable Mark m_mark;
};

JsonSource JsonSource::parse(const QByteArray& utf8)
{
    JsonSource source;
    JsonSourceParser(utf8, source).run();
    return source;
}

Diagnostic JsonSource::located(const QString& pointer, const QString& message,
                               const QHash<QString, Position>& table) const
{
    auto find = [](const QHash<QString, Position>& in, const QString& key) -> const Position* {
        const auto it = in.constFind(key);
        return it == in.constEnd() ? nullptr : &*it;
    };
    QString probe = pointer;
    for (;;) {
        const Position* p = find(table, probe);
        if (!p)
            p = find(m_valueAt, probe);
        if (p)
            return {pointer, p->line, p->column, message};
        if (probe.isEmpty())
            return {pointer, 0, 0, message};
        probe.truncate(probe.lastIndexOf(u'/'));
    }
}

Diagnostic JsonSource::at(const QString& pointer, const QString& message) const
{
    return located(pointer, message, m_valueAt);
}

Diagnostic JsonSource::atKey(const QString& pointer, const QString& message) const
{
    return located(pointer, message, m_keyAt);
}

} // namespace gatehouse
