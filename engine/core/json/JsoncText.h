// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <optional>

namespace gatehouse {

// JSON with comments and trailing commas, as MCP clients (Claude Desktop, Cursor, VS Code) accept it in
// their configuration files, parsed so that one entry can be changed in place: an edit splices new bytes
// into the original text and every other byte (indentation, key order, comments, line endings) stays as
// the user wrote it. Pointers are RFC 6901 ("" is the root, "/mcpServers/everything") over decoded keys.
class JsoncText
{
public:
    static constexpr int MaxDepth = 256;

    // Byte offsets into text(), [begin, end).
    struct Span
    {
        qsizetype begin = 0;
        qsizetype end = 0;
        qsizetype size() const { return end - begin; }
    };

    // Never throws and never crashes; a text that does not parse completely is kept with error() set.
    static JsoncText parse(QByteArray utf8);

    bool isValid() const { return m_valid; }
    // "line 3, column 7: expected ',' or '}'" (columns count code points), or "empty".
    QString error() const { return m_error; }
    const QByteArray& text() const { return m_text; }
    // Comments ignored; for duplicate keys the last one wins. Undefined when invalid.
    QJsonValue value() const { return m_value; }
    bool hasComments() const { return m_hasComments; }

    // Where the value at `pointer` is (for duplicate keys the last one); nullopt when there is none.
    std::optional<Span> valueSpan(const QString& pointer) const;
    // The exact bytes of that value; empty when there is none.
    QByteArray valueText(const QString& pointer) const;

    // Each edit returns the new full text and leaves this object unchanged; nullopt, with the reason in
    // *error, when it cannot be done or its result would not parse.

    // Puts `rawJson` byte for byte where the value at `pointer` is; it must itself be a JSONC value.
    std::optional<QByteArray> replaceValue(const QString& pointer, const QByteArray& rawJson,
                                           QString* error) const;
    // Replaces the value of member `key` of the object at `objectPointer`, or appends the member at the
    // end of that object. Missing objects on the way ("/mcpServers" in a file without it) are created in
    // the nearest existing object. New text follows the file: its indentation unit (2 or 4 spaces, a
    // tab; 2 when nothing tells), its line ending, its "key": spacing, and one line for an object that
    // is written on one line.
    std::optional<QByteArray> setMember(const QString& objectPointer, const QString& key,
                                        const QJsonValue& value, QString* error) const;
    // Removes member `key` (every duplicate of it) with one separating comma and the line it occupied,
    // so that removing and adding it again gives the same text. An object left empty becomes "{}".
    // A member that is not there is an error, so that a wrong pointer does not pass for success.
    std::optional<QByteArray> removeMember(const QString& objectPointer, const QString& key,
                                           QString* error) const;

private:
    friend class JsoncParser;

    struct Member
    {
        QString key;
        Span keySpan;
        int value = -1;       // index into m_nodes
        qsizetype comma = -1; // offset of the ',' after the value, if there is one
    };
    struct Node
    {
        enum class Kind : quint8
        {
            Scalar,
            Object,
            Array
        };
        Kind kind = Kind::Scalar;
        Span span;
        int parent = -1;
        QList<Member> members; // objects, in source order, duplicates included
        QList<int> elements;   // arrays
    };

    int find(const QString& pointer) const;
    int childOf(int node, const QString& token) const;
    int lastMember(int node, const QString& key) const;
    QByteArray removed(int node, int member) const;
    QByteArray lineEnding() const;
    QByteArray indentUnit(int node) const;
    QByteArray colon(int node) const;
    bool isCompact(int node) const;

    QByteArray m_text;
    bool m_valid = false;
    QString m_error;
    QJsonValue m_value = QJsonValue(QJsonValue::Undefined);
    bool m_hasComments = false;
    QList<Node> m_nodes; // in document order; the root is the first
    QList<Span> m_comments;
};

} // namespace gatehouse
