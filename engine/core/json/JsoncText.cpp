// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsoncText.h"

#include "JsonPointer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace gatehouse {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Offset of the first byte that is not well-formed UTF-8 (overlong forms, encoded surrogates and values
// above U+10FFFF included), or of a NUL byte, which no configuration file has; -1 when there is none.
qsizetype firstBadByte(const QByteArray& text)
{
    const auto* p = reinterpret_cast<const uchar*>(text.constData());
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n;) {
        const uchar c = p[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        uchar low = 0x80, high = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                low = 0xA0;
            else if (c == 0xED)
                high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                low = 0x90;
            else if (c == 0xF4)
                high = 0x8F;
        } else {
            return i;
        }
        if (i + length > n || p[i + 1] < low || p[i + 1] > high)
            return i;
        for (int k = 2; k < length; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
        }
        i += length;
    }
    return -1;
}

qsizetype lineStart(const QByteArray& text, qsizetype offset)
{
    while (offset > 0 && text[offset - 1] != '\n')
        --offset;
    return offset;
}

// The spaces and tabs that start the line `offset` is on.
QByteArray lineIndent(const QByteArray& text, qsizetype offset)
{
    const qsizetype start = lineStart(text, offset);
    qsizetype end = start;
    while (end < offset && (text[end] == ' ' || text[end] == '\t'))
        ++end;
    return text.mid(start, end - start);
}

// Only spaces and tabs before `offset` on its line; looks no further back than that, so that it stays
// cheap on a minified file that is one long line.
bool startsLine(const QByteArray& text, qsizetype offset)
{
    for (; offset > 0; --offset) {
        const char c = text[offset - 1];
        if (c == '\n')
            return true;
        if (c != ' ' && c != '\t')
            return false;
    }
    return true;
}

bool onlySpace(const QByteArray& text, qsizetype begin, qsizetype end)
{
    for (qsizetype i = begin; i < end; ++i) {
        if (!isSpace(text[i]))
            return false;
    }
    return true;
}

bool containsNewline(const QByteArray& text, qsizetype begin, qsizetype end)
{
    for (qsizetype i = begin; i < end; ++i) {
        if (text[i] == '\n')
            return true;
    }
    return false;
}

// Past spaces, tabs and comments that end on the same line, up to where something else starts.
qsizetype skipSameLine(const QByteArray& text, qsizetype pos)
{
    for (;;) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
            ++pos;
        if (pos + 1 >= text.size() || text[pos] != '/')
            return pos;
        if (text[pos + 1] == '/') {
            while (pos < text.size() && text[pos] != '\n' &&
                   !(text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n'))
                ++pos;
            return pos;
        }
        if (text[pos + 1] != '*')
            return pos;
        const qsizetype close = text.indexOf("*/", pos + 2);
        if (close < 0 || containsNewline(text, pos, close))
            return pos;
        pos = close + 2;
    }
}

// Length of the line break at `pos` (0 when there is none); the end of the text counts as one.
qsizetype lineBreakAt(const QByteArray& text, qsizetype pos, bool* atBreak)
{
    *atBreak = true;
    if (pos >= text.size())
        return 0;
    if (text[pos] == '\n')
        return 1;
    if (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n')
        return 2;
    *atBreak = false;
    return 0;
}

struct Splice
{
    qsizetype begin;
    qsizetype end;
    QByteArray with;
};

QByteArray spliced(const QByteArray& text, QList<Splice> splices)
{
    // From the back, so earlier offsets stay right.
    std::stable_sort(splices.begin(), splices.end(),
                     [](const Splice& a, const Splice& b) { return a.begin > b.begin; });
    QByteArray out = text;
    for (const Splice& s : splices)
        out.replace(s.begin, s.end - s.begin, s.with);
    return out;
}

std::nullopt_t failed(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

// RFC 6901: "" is the root, otherwise "/"-separated tokens with "~1" for "/" and "~0" for "~".
std::optional<QStringList> splitPointer(const QString& pointer)
{
    QStringList tokens;
    if (pointer.isEmpty())
        return tokens;
    if (!pointer.startsWith(u'/'))
        return std::nullopt;
    for (const QString& raw : pointer.mid(1).split(u'/')) {
        QString token;
        token.reserve(raw.size());
        for (qsizetype i = 0; i < raw.size(); ++i) {
            if (raw[i] != u'~') {
                token += raw[i];
                continue;
            }
            if (i + 1 >= raw.size() || (raw[i + 1] != u'0' && raw[i + 1] != u'1'))
                return std::nullopt;
            token += raw[i + 1] == u'0' ? u'~' : u'/';
            ++i;
        }
        tokens.append(token);
    }
    return tokens;
}

QString joinPointer(const QStringList& tokens, qsizetype count)
{
    QString pointer;
    for (qsizetype i = 0; i < count; ++i)
        pointer = JsonPointer::append(pointer, tokens[i]);
    return pointer;
}

QString describe(const QString& pointer)
{
    return pointer.isEmpty() ? QStringLiteral("the top level") : QStringLiteral("\"%1\"").arg(pointer);
}

struct Style
{
    QByteArray unit = "  ";
    QByteArray eol = "\n";
    QByteArray colon = ": ";
    bool compact = false; // everything on one line, as the surrounding object is
};

// Scalars through QJsonDocument, so strings and numbers are escaped and formatted as Qt writes them.
QByteArray scalarText(const QJsonValue& value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

bool serialise(const QJsonValue& value, const Style& style, const QByteArray& indent, int depth,
               QByteArray& out)
{
    if (value.isUndefined() || depth > JsoncText::MaxDepth)
        return false;
    const QByteArray inner = indent + style.unit;
    const QByteArray separator = style.compact ? QByteArray(style.colon.endsWith(' ') ? ", " : ",") : ",";
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out += "{}";
            return true;
        }
        out += '{';
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it != object.constBegin())
                out += separator;
            if (!style.compact)
                out += style.eol + inner;
            out += scalarText(it.key()) + style.colon;
            if (!serialise(it.value(), style, inner, depth + 1, out))
                return false;
        }
        if (!style.compact)
            out += style.eol + indent;
        out += '}';
        return true;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out += "[]";
            return true;
        }
        out += '[';
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += separator;
            if (!style.compact)
                out += style.eol + inner;
            if (!serialise(array.at(i), style, inner, depth + 1, out))
                return false;
        }
        if (!style.compact)
            out += style.eol + indent;
        out += ']';
        return true;
    }
    out += scalarText(value);
    return true;
}

std::optional<QByteArray> checked(const QByteArray& text, QString* error)
{
    // A last guard for the user's file: no edit may leave it unparseable.
    const JsoncText result = JsoncText::parse(text);
    if (!result.isValid())
        return failed(error, QStringLiteral("the edit would leave the text invalid: %1").arg(result.error()));
    return text;
}

} // namespace

// Recursive descent over the UTF-8 bytes, depth-limited, reporting failure through return values so
// that any input, however hostile, ends in an error message.
class JsoncParser
{
public:
    explicit JsoncParser(JsoncText& out)
        : m_out(out)
        , m_text(out.m_text)
    {}

    void run()
    {
        if (const qsizetype bad = firstBadByte(m_text); bad >= 0) {
            fail(bad, m_text[bad] == '\0' ? QStringLiteral("NUL byte in the text")
                                          : QStringLiteral("the text is not valid UTF-8"));
        } else {
            if (m_text.startsWith("\xEF\xBB\xBF"))
                m_pos = 3;
            if (skipSpace()) {
                QJsonValue root;
                int node = -1;
                if (atEnd())
                    m_error = QStringLiteral("empty");
                else if (parseValue(-1, 0, root, node) && skipSpace() && !atEnd())
                    fail(m_pos, QStringLiteral("unexpected text after the JSON value"));
                if (m_error.isEmpty())
                    m_out.m_value = root;
            }
        }
        m_out.m_valid = m_error.isEmpty();
        m_out.m_error = m_error;
        if (!m_out.m_valid) {
            m_out.m_nodes.clear();
            m_out.m_comments.clear();
        }
        m_out.m_hasComments = !m_out.m_comments.isEmpty();
    }

private:
    using Node = JsoncText::Node;

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

    bool fail(qsizetype offset, const QString& message)
    {
        if (!m_error.isEmpty())
            return false;
        int line = 1, column = 1;
        for (qsizetype i = 0; i < offset && i < m_text.size(); ++i) {
            const uchar c = static_cast<uchar>(m_text[i]);
            if (c == '\n') {
                ++line;
                column = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++column;
            }
        }
        m_error = QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(message);
        return false;
    }

    // Whitespace and comments, which are allowed anywhere whitespace is.
    bool skipSpace()
    {
        while (!atEnd()) {
            const char c = m_text[m_pos];
            if (isSpace(c)) {
                ++m_pos;
                continue;
            }
            if (c != '/')
                return true;
            const qsizetype begin = m_pos;
            const char next = m_pos + 1 < m_text.size() ? m_text[m_pos + 1] : '\0';
            if (next == '/') {
                while (!atEnd() && m_text[m_pos] != '\n')
                    ++m_pos;
                // A CRLF's CR belongs to the line break, not to the comment.
                const qsizetype end = m_pos < m_text.size() && m_text[m_pos - 1] == '\r' ? m_pos - 1 : m_pos;
                m_out.m_comments.append({begin, end});
            } else if (next == '*') {
                const qsizetype close = m_text.indexOf("*/", m_pos + 2);
                if (close < 0)
                    return fail(begin, QStringLiteral("unterminated comment"));
                m_pos = close + 2;
                m_out.m_comments.append({begin, m_pos});
            } else {
                return fail(begin, QStringLiteral("unexpected '/'; comments start with // or /*"));
            }
        }
        return true;
    }

    bool parseValue(int parent, int depth, QJsonValue& out, int& node)
    {
        if (atEnd())
            return fail(m_pos, QStringLiteral("unexpected end of text; expected a value"));
        node = int(m_out.m_nodes.size());
        Node n;
        n.parent = parent;
        n.span.begin = m_pos;
        m_out.m_nodes.append(n);
        bool ok = false;
        const char c = peek();
        if (c == '{' || c == '[') {
            if (depth >= JsoncText::MaxDepth)
                return fail(m_pos,
                            QStringLiteral("nesting is deeper than %1 levels").arg(JsoncText::MaxDepth));
            ok = c == '{' ? parseObject(node, depth, out) : parseArray(node, depth, out);
        } else if (c == '"') {
            QString s;
            ok = parseString(s);
            out = s;
        } else if (c == 't') {
            ok = parseLiteral("true", 4);
            out = true;
        } else if (c == 'f') {
            ok = parseLiteral("false", 5);
            out = false;
        } else if (c == 'n') {
            ok = parseLiteral("null", 4);
            out = QJsonValue(QJsonValue::Null);
        } else if (c == '-' || isDigit(c)) {
            ok = parseNumber(out);
        } else {
            return fail(m_pos, unexpected());
        }
        m_out.m_nodes[node].span.end = m_pos;
        return ok;
    }

    QString unexpected() const
    {
        const uchar c = static_cast<uchar>(peek());
        if (c > 0x20 && c < 0x7F)
            return QStringLiteral("unexpected character '%1'; expected a value").arg(QLatin1Char(char(c)));
        return QStringLiteral("unexpected character; expected a value");
    }

    bool parseLiteral(const char* word, qsizetype length)
    {
        if (m_text.size() - m_pos < length || std::memcmp(m_text.constData() + m_pos, word, length) != 0)
            return fail(m_pos, unexpected());
        m_pos += length;
        return true;
    }

    bool parseObject(int node, int depth, QJsonValue& out)
    {
        m_out.m_nodes[node].kind = Node::Kind::Object;
        ++m_pos; // '{'
        QJsonObject object;
        for (;;) {
            if (!skipSpace())
                return false;
            if (peek() == '}')
                break;
            if (peek() != '"')
                return fail(m_pos, atEnd()
                                       ? QStringLiteral("unexpected end of text; expected '}'")
                                       : QStringLiteral("expected a member name in double quotes or '}'"));
            JsoncText::Member member;
            member.keySpan.begin = m_pos;
            if (!parseString(member.key))
                return false;
            member.keySpan.end = m_pos;
            if (!skipSpace())
                return false;
            if (peek() != ':')
                return fail(m_pos, QStringLiteral("expected ':' after a member name"));
            ++m_pos;
            QJsonValue value;
            if (!skipSpace() || !parseValue(node, depth + 1, value, member.value) || !skipSpace())
                return false;
            object.insert(member.key, value);
            const bool comma = peek() == ',';
            if (comma)
                member.comma = m_pos++;
            m_out.m_nodes[node].members.append(member);
            if (comma)
                continue;
            if (peek() == '}')
                break;
            return fail(m_pos, atEnd() ? QStringLiteral("unexpected end of text; expected ',' or '}'")
                                       : QStringLiteral("expected ',' or '}'"));
        }
        ++m_pos; // '}'
        out = object;
        return true;
    }

    bool parseArray(int node, int depth, QJsonValue& out)
    {
        m_out.m_nodes[node].kind = Node::Kind::Array;
        ++m_pos; // '['
        QJsonArray array;
        for (;;) {
            if (!skipSpace())
                return false;
            if (peek() == ']')
                break;
            if (atEnd())
                return fail(m_pos, QStringLiteral("unexpected end of text; expected ']'"));
            QJsonValue value;
            int element = -1;
            if (!parseValue(node, depth + 1, value, element) || !skipSpace())
                return false;
            array.append(value);
            m_out.m_nodes[node].elements.append(element);
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']')
                break;
            return fail(m_pos, atEnd() ? QStringLiteral("unexpected end of text; expected ',' or ']'")
                                       : QStringLiteral("expected ',' or ']'"));
        }
        ++m_pos; // ']'
        out = array;
        return true;
    }

    bool hex4(char16_t& unit)
    {
        if (m_text.size() - m_pos < 4)
            return fail(m_pos, QStringLiteral("incomplete \\u escape"));
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(m_text[m_pos + i]);
            if (h < 0)
                return fail(m_pos, QStringLiteral("invalid \\u escape"));
            v = v * 16 + h;
        }
        m_pos += 4;
        unit = char16_t(v);
        return true;
    }

    bool parseString(QString& out)
    {
        const qsizetype open = m_pos++;
        qsizetype run = m_pos;
        auto flush = [&] { out += QString::fromUtf8(m_text.constData() + run, m_pos - run); };
        for (;;) {
            if (atEnd())
                return fail(open, QStringLiteral("unterminated string"));
            const uchar c = static_cast<uchar>(m_text[m_pos]);
            if (c == '"') {
                flush();
                ++m_pos;
                return true;
            }
            if (c < 0x20)
                return fail(m_pos, c == '\n'
                                       ? QStringLiteral("unterminated string (line break inside it)")
                                       : QStringLiteral("control character inside a string; escape it"));
            if (c != '\\') {
                ++m_pos;
                continue;
            }
            flush();
            const qsizetype escape = m_pos++;
            const char e = peek();
            ++m_pos;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += QLatin1Char(e);
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
                char16_t unit = 0;
                if (!hex4(unit))
                    return false;
                if (QChar::isLowSurrogate(unit))
                    return fail(escape, QStringLiteral("lone surrogate in a \\u escape"));
                if (QChar::isHighSurrogate(unit)) {
                    // Only a pair is a character; half of one cannot be written as UTF-8.
                    char16_t low = 0;
                    if (m_text.size() - m_pos < 2 || m_text[m_pos] != '\\' || m_text[m_pos + 1] != 'u')
                        return fail(escape, QStringLiteral("lone surrogate in a \\u escape"));
                    m_pos += 2;
                    if (!hex4(low))
                        return false;
                    if (!QChar::isLowSurrogate(low))
                        return fail(escape, QStringLiteral("lone surrogate in a \\u escape"));
                    out += QChar(unit);
                    out += QChar(low);
                } else {
                    out += QChar(unit);
                }
                break;
            }
            default:
                return fail(escape, atEnd() ? QStringLiteral("unterminated string")
                                            : QStringLiteral("invalid escape in a string"));
            }
            run = m_pos;
        }
    }

    bool parseNumber(QJsonValue& out)
    {
        const qsizetype start = m_pos;
        bool integral = true;
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0') {
            ++m_pos;
        } else if (peek() >= '1' && peek() <= '9') {
            while (isDigit(peek()))
                ++m_pos;
        } else {
            return fail(m_pos, QStringLiteral("invalid number"));
        }
        if (peek() == '.') {
            integral = false;
            ++m_pos;
            if (!isDigit(peek()))
                return fail(m_pos, QStringLiteral("invalid number: a digit must follow '.'"));
            while (isDigit(peek()))
                ++m_pos;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (!isDigit(peek()))
                return fail(m_pos, QStringLiteral("invalid number: a digit must follow the exponent"));
            while (isDigit(peek()))
                ++m_pos;
        }
        const char* first = m_text.constData() + start;
        const char* last = m_text.constData() + m_pos;
        if (integral) {
            qint64 v = 0;
            const auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last) {
                out = QJsonValue(v);
                return true;
            }
        }
        double d = 0;
        const auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc() || !std::isfinite(d))
            return fail(start, QStringLiteral("number out of range"));
        out = QJsonValue(d);
        return true;
    }

    JsoncText& m_out;
    const QByteArray& m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

JsoncText JsoncText::parse(QByteArray utf8)
{
    JsoncText text;
    text.m_text = std::move(utf8);
    JsoncParser(text).run();
    return text;
}

int JsoncText::lastMember(int node, const QString& key) const
{
    const QList<Member>& members = m_nodes[node].members;
    for (qsizetype i = members.size() - 1; i >= 0; --i) {
        if (members[i].key == key)
            return int(i);
    }
    return -1;
}

int JsoncText::childOf(int node, const QString& token) const
{
    const Node& n = m_nodes[node];
    if (n.kind == Node::Kind::Object) {
        const int member = lastMember(node, token);
        return member < 0 ? -1 : n.members[member].value;
    }
    if (n.kind != Node::Kind::Array || token.isEmpty() || token.size() > 9 ||
        (token.size() > 1 && token[0] == u'0'))
        return -1;
    bool ok = false;
    const int index = token.toInt(&ok);
    if (!ok || index < 0 || index >= n.elements.size())
        return -1;
    return n.elements[index];
}

int JsoncText::find(const QString& pointer) const
{
    const auto tokens = splitPointer(pointer);
    if (!m_valid || !tokens)
        return -1;
    int node = 0;
    for (const QString& token : *tokens) {
        node = childOf(node, token);
        if (node < 0)
            return -1;
    }
    return node;
}

std::optional<JsoncText::Span> JsoncText::valueSpan(const QString& pointer) const
{
    const int node = find(pointer);
    if (node < 0)
        return std::nullopt;
    return m_nodes[node].span;
}

QByteArray JsoncText::valueText(const QString& pointer) const
{
    const auto span = valueSpan(pointer);
    return span ? m_text.mid(span->begin, span->size()) : QByteArray();
}

QByteArray JsoncText::lineEnding() const
{
    const qsizetype lf = m_text.count('\n');
    const qsizetype crlf = m_text.count("\r\n");
    return crlf > lf - crlf ? QByteArrayLiteral("\r\n") : QByteArrayLiteral("\n");
}

QByteArray JsoncText::indentUnit(int node) const
{
    // What a child line adds to its container's line; the object itself first, then the whole file.
    auto unitOf = [this](int container) -> QByteArray {
        const Node& c = m_nodes[container];
        std::optional<QByteArray> outer; // only when needed: finding it reads back over the whole line
        QList<qsizetype> starts;
        for (const Member& m : c.members)
            starts.append(m.keySpan.begin);
        for (int e : c.elements)
            starts.append(m_nodes[e].span.begin);
        for (qsizetype start : starts) {
            if (!startsLine(m_text, start))
                continue;
            if (!outer)
                outer = lineIndent(m_text, c.span.begin);
            const QByteArray indent = lineIndent(m_text, start);
            if (indent.size() <= outer->size() || !indent.startsWith(*outer))
                continue;
            const QByteArray unit = indent.mid(outer->size());
            if (unit.count(' ') == unit.size() || unit.count('\t') == unit.size())
                return unit;
        }
        return {};
    };
    if (QByteArray unit = unitOf(node); !unit.isEmpty())
        return unit;
    for (int i = 0; i < m_nodes.size(); ++i) {
        if (QByteArray unit = unitOf(i); !unit.isEmpty())
            return unit;
    }
    return QByteArrayLiteral("  ");
}

QByteArray JsoncText::colon(int node) const
{
    // How the file spells `"key": value`, from the first member that shows it plainly.
    auto colonOf = [this](int object) -> QByteArray {
        for (const Member& m : m_nodes[object].members) {
            const QByteArray between = m_text.mid(m.keySpan.end, m_nodes[m.value].span.begin - m.keySpan.end);
            if (between.count(':') == 1 && between.count(' ') + between.count('\t') + 1 == between.size())
                return between;
            return {};
        }
        return {};
    };
    if (QByteArray c = colonOf(node); !c.isEmpty())
        return c;
    for (int i = 0; i < m_nodes.size(); ++i) {
        if (QByteArray c = colonOf(i); !c.isEmpty())
            return c;
    }
    return QByteArrayLiteral(": ");
}

bool JsoncText::isCompact(int node) const
{
    // An empty object says nothing about layout; the one around it does.
    const Node& n = m_nodes[node];
    if (n.members.isEmpty() && n.elements.isEmpty()) {
        if (n.parent < 0)
            return false;
        return isCompact(n.parent);
    }
    return !containsNewline(m_text, n.span.begin, n.span.end);
}

std::optional<QByteArray> JsoncText::replaceValue(const QString& pointer, const QByteArray& rawJson,
                                                  QString* error) const
{
    if (!m_valid)
        return failed(error, QStringLiteral("the text is not valid JSON: %1").arg(m_error));
    const auto span = valueSpan(pointer);
    if (!span)
        return failed(error, QStringLiteral("there is no value at %1").arg(describe(pointer)));
    const JsoncText raw = parse(rawJson);
    if (!raw.isValid())
        return failed(error, QStringLiteral("the new value is not JSON: %1").arg(raw.error()));
    return checked(spliced(m_text, {{span->begin, span->end, rawJson}}), error);
}

std::optional<QByteArray> JsoncText::setMember(const QString& objectPointer, const QString& key,
                                               const QJsonValue& value, QString* error) const
{
    if (!m_valid)
        return failed(error, QStringLiteral("the text is not valid JSON: %1").arg(m_error));
    if (value.isUndefined())
        return failed(error, QStringLiteral("no value to set"));
    const auto tokens = splitPointer(objectPointer);
    if (!tokens)
        return failed(error, QStringLiteral("\"%1\" is not a JSON pointer").arg(objectPointer));

    int node = 0;
    qsizetype found = 0;
    for (; found < tokens->size(); ++found) {
        const int child = childOf(node, tokens->at(found));
        if (child < 0)
            break;
        node = child;
    }
    if (m_nodes[node].kind != Node::Kind::Object)
        return failed(error,
                      QStringLiteral("%1 is not an object").arg(describe(joinPointer(*tokens, found))));
    // Missing objects on the way become one new member of the deepest existing one.
    QString memberKey = key;
    QJsonValue memberValue = value;
    for (qsizetype i = tokens->size() - 1; i >= found; --i) {
        memberValue = QJsonObject{{memberKey, memberValue}};
        memberKey = tokens->at(i);
    }

    const Node& object = m_nodes[node];
    Style style;
    style.unit = indentUnit(node);
    style.eol = lineEnding();
    style.colon = colon(node);
    style.compact = isCompact(node);

    if (const int existing = lastMember(node, memberKey); existing >= 0) {
        const Member& member = object.members[existing];
        QByteArray text;
        if (!serialise(memberValue, style, lineIndent(m_text, member.keySpan.begin), 0, text))
            return failed(error, QStringLiteral("the value is nested too deeply"));
        const Span span = m_nodes[member.value].span;
        return checked(spliced(m_text, {{span.begin, span.end, text}}), error);
    }

    const QByteArray outer = lineIndent(m_text, object.span.begin);
    QByteArray indent = outer + style.unit;
    if (!object.members.isEmpty() && startsLine(m_text, object.members.last().keySpan.begin))
        indent = lineIndent(m_text, object.members.last().keySpan.begin);
    QByteArray text = scalarText(memberKey) + style.colon;
    if (!serialise(memberValue, style, indent, 0, text))
        return failed(error, QStringLiteral("the value is nested too deeply"));

    const qsizetype open = object.span.begin + 1;
    const qsizetype close = object.span.end - 1;
    if (object.members.isEmpty() && onlySpace(m_text, open, close)) {
        const QByteArray body = style.compact ? text : style.eol + indent + text + style.eol + outer;
        return checked(spliced(m_text, {{open, close, body}}), error);
    }

    // After the last member and any comments that follow it, so that a comment about the last member
    // stays with it and "// add servers here" stays above the new one.
    qsizetype at = open;
    qsizetype comma = -1;
    if (!object.members.isEmpty()) {
        const Member& last = object.members.last();
        if (last.comma >= 0) {
            at = last.comma + 1;
        } else {
            at = m_nodes[last.value].span.end;
            comma = at;
        }
    }
    for (const Span& c : m_comments) {
        if (c.begin >= at && c.end <= close)
            at = c.end;
    }
    const QByteArray lead =
        style.compact ? QByteArray(style.colon.endsWith(' ') ? " " : "") : style.eol + indent;
    // "{ /* none */ }" spread over lines gets its '}' on a line of its own, in place of the blanks before it.
    qsizetype until = at;
    if (!style.compact && !containsNewline(m_text, at, close)) {
        until = close;
        text += style.eol + outer;
    }
    if (comma == at)
        return checked(spliced(m_text, {{at, until, "," + lead + text}}), error);
    QList<Splice> splices{{at, until, lead + text}};
    if (comma >= 0)
        splices.append({comma, comma, ","});
    return checked(spliced(m_text, splices), error);
}

QByteArray JsoncText::removed(int node, int index) const
{
    const Node& object = m_nodes[node];
    const Member& member = object.members[index];
    const qsizetype keyBegin = member.keySpan.begin;
    const qsizetype valueEnd = m_nodes[member.value].span.end;
    // The member's whole line goes when nothing but it (and a comment about it) is on it.
    auto ownLine = [&](qsizetype end, qsizetype* lineEnd) {
        if (!startsLine(m_text, keyBegin))
            return false;
        const qsizetype rest = skipSameLine(m_text, end);
        bool atBreak = false;
        const qsizetype breakLength = lineBreakAt(m_text, rest, &atBreak);
        *lineEnd = rest + breakLength;
        return atBreak;
    };
    auto skipBlanks = [&](qsizetype pos) {
        while (pos < m_text.size() && (m_text[pos] == ' ' || m_text[pos] == '\t'))
            ++pos;
        return pos;
    };

    QList<Splice> splices;
    qsizetype lineEnd = 0;
    if (member.comma >= 0) {
        // Its own comma goes with it.
        const qsizetype end = member.comma + 1;
        if (ownLine(end, &lineEnd))
            splices.append({lineStart(m_text, keyBegin), lineEnd, {}});
        else
            splices.append({keyBegin, skipBlanks(end), {}});
    } else if (index > 0) {
        // The last member without a trailing comma: the comma before it goes.
        const Member& previous = object.members[index - 1];
        const qsizetype previousEnd = m_nodes[previous.value].span.end;
        if (ownLine(valueEnd, &lineEnd)) {
            splices.append({previous.comma, previous.comma + 1, {}});
            splices.append({lineStart(m_text, keyBegin), lineEnd, {}});
        } else if (onlySpace(m_text, previousEnd, previous.comma) &&
                   onlySpace(m_text, previous.comma + 1, keyBegin)) {
            splices.append({previousEnd, valueEnd, {}});
        } else {
            splices.append({previous.comma, previous.comma + 1, {}});
            splices.append({keyBegin, valueEnd, {}});
        }
    } else if (ownLine(valueEnd, &lineEnd)) {
        splices.append({lineStart(m_text, keyBegin), lineEnd, {}});
    } else {
        splices.append({keyBegin, valueEnd, {}});
    }
    return spliced(m_text, splices);
}

std::optional<QByteArray> JsoncText::removeMember(const QString& objectPointer, const QString& key,
                                                  QString* error) const
{
    if (!m_valid)
        return failed(error, QStringLiteral("the text is not valid JSON: %1").arg(m_error));
    const int node = find(objectPointer);
    if (node < 0)
        return failed(error, QStringLiteral("there is no value at %1").arg(describe(objectPointer)));
    if (m_nodes[node].kind != Node::Kind::Object)
        return failed(error, QStringLiteral("%1 is not an object").arg(describe(objectPointer)));
    const int member = lastMember(node, key);
    if (member < 0)
        return failed(error, QStringLiteral("%1 has no member \"%2\"").arg(describe(objectPointer), key));

    // Earlier duplicates would otherwise become the value, so they go too, one parse at a time.
    QByteArray text = removed(node, member);
    for (;;) {
        const JsoncText next = parse(text);
        const int n = next.find(objectPointer);
        if (!next.isValid() || n < 0)
            return failed(error,
                          QStringLiteral("the edit would leave the text invalid: %1").arg(next.error()));
        if (const int m = next.lastMember(n, key); m >= 0) {
            text = next.removed(n, m);
            continue;
        }
        const Node& object = next.m_nodes[n];
        const qsizetype open = object.span.begin + 1;
        const qsizetype close = object.span.end - 1;
        if (object.members.isEmpty() && close > open && onlySpace(text, open, close))
            text = spliced(text, {{open, close, {}}});
        return checked(text, error);
    }
}

} // namespace gatehouse
