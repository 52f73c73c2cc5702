// SPDX-License-Identifier: GPL-3.0-or-later
#include "json/JsonPointer.h"
#include "json/JsoncText.h"
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QtTest>

using namespace gatehouse;

namespace {

// A Claude Desktop file as a person keeps it: comments, a trailing comma, Windows line endings.
const QByteArray claude =
    "// Claude Desktop configuration\r\n"
    "{\r\n"
    "  \"mcpServers\": {\r\n"
    "    \"everything\": {\r\n"
    "      \"command\": \"npx\",\r\n"
    "      \"args\": [\"-y\", \"@modelcontextprotocol/server-everything\"] // the demo\r\n"
    "    },\r\n"
    "    /* the file system */\r\n"
    "    \"filesystem\": {\r\n"
    "      \"command\": \"npx\",\r\n"
    "      \"args\": [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"C:\\\\Users\\\\me\"],\r\n"
    "    },\r\n"
    "  },\r\n"
    "  \"globalShortcut\": \"Ctrl+Space\"\r\n"
    "}\r\n";

QJsonValue json(const QByteArray& strict)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(strict, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
}

// Every value in the text: its bytes parse on their own to what value() has there.
bool spansAgree(const JsoncText& text, const QJsonValue& value, const QString& pointer, QString* where)
{
    const JsoncText alone = JsoncText::parse(text.valueText(pointer));
    if (!alone.isValid() || alone.value() != value) {
        *where = pointer;
        return false;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!spansAgree(text, it.value(), JsonPointer::append(pointer, it.key()), where))
                return false;
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!spansAgree(text, array.at(i), JsonPointer::append(pointer, i), where))
                return false;
        }
    }
    return true;
}

QJsonObject withMember(QJsonObject object, const QString& key, const QJsonValue& value)
{
    object.insert(key, value);
    return object;
}

} // namespace

class TestJsoncText : public QObject
{
    Q_OBJECT
private slots:
    void parsesJsonWithComments();
    void trailingCommas();
    void spansAreByteOffsets();
    void pointerTokensAreDecodedKeys();
    void arrayIndices();
    void duplicateKeysLastWins();
    void byteOrderMark();
    void spansAgreeWithValues();
    void emptyText_data();
    void emptyText();
    void errorPositions_data();
    void errorPositions();
    void hostileInputs_data();
    void hostileInputs();
    void depthLimit();
    void mutationsNeverCrash();

    void replaceKeepsEveryOtherByte();
    void replaceWithOldTextGivesOriginal();
    void replaceRejectsBadValues();
    void setMemberReplacesInPlace();
    void setMemberAppendsAfterTrailingComma();
    void setMemberFollowsFourSpaces();
    void setMemberFollowsTabs();
    void setMemberIntoSmallObjects_data();
    void setMemberIntoSmallObjects();
    void setMemberCreatesMissingObjects_data();
    void setMemberCreatesMissingObjects();
    void setMemberEscapes();
    void setMemberErrors();
    void removeMember_data();
    void removeMember();
    void removeServerFromClaudeFile();
    void removeDuplicates();
    void removeErrors();
    void removeThenAddIsClean_data();
    void removeThenAddIsClean();
};

void TestJsoncText::parsesJsonWithComments()
{
    const auto t = JsoncText::parse(claude);
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    QVERIFY(t.error().isEmpty());
    QVERIFY(t.hasComments());
    QCOMPARE(t.text(), claude);
    const QJsonValue expected = json(R"({"mcpServers": {
        "everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"]},
        "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "C:\\Users\\me"]}},
        "globalShortcut": "Ctrl+Space"})");
    QCOMPARE(t.value(), expected);

    const auto plain = JsoncText::parse(R"({"a": [1, true, null, -2.5e2, "x"]})");
    QVERIFY(plain.isValid());
    QVERIFY(!plain.hasComments());
    QCOMPARE(plain.value(), json(R"({"a": [1, true, null, -250, "x"]})"));
    // A "//" inside a string is not a comment.
    const auto url = JsoncText::parse(R"({"url": "http://x/*y*/"})");
    QVERIFY(url.isValid());
    QVERIFY(!url.hasComments());
    QCOMPARE(url.value().toObject().value(u"url").toString(), QStringLiteral("http://x/*y*/"));
    // Comments wherever whitespace may be.
    const auto everywhere = JsoncText::parse("/*a*/{/*b*/\"k\"/*c*/://*d*/\n[/*e*/1/*f*/,//g\n2]/*h*/}//i");
    QVERIFY2(everywhere.isValid(), qPrintable(everywhere.error()));
    QCOMPARE(everywhere.value(), json(R"({"k": [1, 2]})"));
    QCOMPARE(everywhere.valueText(QStringLiteral("/k")), QByteArray("[/*e*/1/*f*/,//g\n2]"));
    QCOMPARE(JsoncText::parse("\"scalar\"").value(), QJsonValue(QStringLiteral("scalar")));
    QCOMPARE(JsoncText::parse("9007199254740993").value().toInteger(), 9007199254740993LL);
}

void TestJsoncText::trailingCommas()
{
    QCOMPARE(JsoncText::parse(R"({"a":1,})").value(), json(R"({"a": 1})"));
    QCOMPARE(JsoncText::parse("[1,2,]").value(), json("[1, 2]"));
    QCOMPARE(JsoncText::parse("{\"a\": [1, {\"b\": 2,},], // x\n}").value(), json(R"({"a": [1, {"b": 2}]})"));
    QVERIFY(!JsoncText::parse("{,}").isValid());
    QVERIFY(!JsoncText::parse("[,]").isValid());
    QVERIFY(!JsoncText::parse(R"({"a":1,,})").isValid());
    QVERIFY(!JsoncText::parse("[1,,2]").isValid());
}

void TestJsoncText::spansAreByteOffsets()
{
    const QByteArray text = "{\"é\": \"\\u00e9\\ud83d\\ude00\", \"z\": \"ü\"}";
    const auto t = JsoncText::parse(text);
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    const auto span = t.valueSpan(QStringLiteral("/é"));
    QVERIFY(span);
    QCOMPARE(span->begin, qsizetype(7)); // '{', '"', two bytes of é, '"', ':', ' '
    QCOMPARE(span->end, span->begin + 20);
    QCOMPARE(t.valueText(QStringLiteral("/é")), QByteArray("\"\\u00e9\\ud83d\\ude00\""));
    QCOMPARE(t.value().toObject().value(u"é").toString(), QStringLiteral("é\U0001F600"));
    QCOMPARE(t.valueText(QStringLiteral("/z")), QByteArray("\"ü\""));
    const auto root = t.valueSpan(QString());
    QVERIFY(root);
    QCOMPARE(root->begin, qsizetype(0));
    QCOMPARE(root->end, text.size());
    QVERIFY(!t.valueSpan(QStringLiteral("/missing")));
    QVERIFY(t.valueText(QStringLiteral("/missing")).isEmpty());
}

void TestJsoncText::pointerTokensAreDecodedKeys()
{
    const auto t = JsoncText::parse(R"({"a\"b": "x\\y", "a/b": 1, "m~n": 2, "": 3, "~1": 4, "t\u0041b": 5})");
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    QCOMPARE(t.valueText(QStringLiteral("/a\"b")), QByteArray(R"("x\\y")"));
    QCOMPARE(t.value().toObject().value(u"a\"b").toString(), QStringLiteral("x\\y"));
    QCOMPARE(t.valueText(QStringLiteral("/a~1b")), QByteArray("1"));
    QCOMPARE(t.valueText(QStringLiteral("/m~0n")), QByteArray("2"));
    QCOMPARE(t.valueText(QStringLiteral("/")), QByteArray("3"));
    QCOMPARE(t.valueText(QStringLiteral("/~01")), QByteArray("4"));
    QCOMPARE(t.valueText(QStringLiteral("/tAb")), QByteArray("5"));
    QCOMPARE(t.valueText(JsonPointer::append(QString(), QStringLiteral("a/b"))), QByteArray("1"));
    // Not pointers: no leading '/', a '~' that is not ~0 or ~1.
    QVERIFY(!t.valueSpan(QStringLiteral("a~1b")));
    QVERIFY(!t.valueSpan(QStringLiteral("/m~2n")));
    QVERIFY(!t.valueSpan(QStringLiteral("/m~")));

    QString error;
    const auto set = t.setMember(QString(), QStringLiteral("a/b"), 10, &error);
    QVERIFY2(set, qPrintable(error));
    QCOMPARE(JsoncText::parse(*set).value().toObject().value(u"a/b").toInt(), 10);
    const auto removed = t.removeMember(QString(), QStringLiteral("m~n"), &error);
    QVERIFY2(removed, qPrintable(error));
    QVERIFY(!JsoncText::parse(*removed).value().toObject().contains(u"m~n"));
}

void TestJsoncText::arrayIndices()
{
    const auto t = JsoncText::parse(R"({"arr": [10, [20, {"k": 30}]]})");
    QCOMPARE(t.valueText(QStringLiteral("/arr/0")), QByteArray("10"));
    QCOMPARE(t.valueText(QStringLiteral("/arr/1/0")), QByteArray("20"));
    QCOMPARE(t.valueText(QStringLiteral("/arr/1/1/k")), QByteArray("30"));
    QVERIFY(!t.valueSpan(QStringLiteral("/arr/01")));
    QVERIFY(!t.valueSpan(QStringLiteral("/arr/2")));
    QVERIFY(!t.valueSpan(QStringLiteral("/arr/-")));
    QVERIFY(!t.valueSpan(QStringLiteral("/arr/-1")));
    QVERIFY(!t.valueSpan(QStringLiteral("/arr/99999999999999999999")));
    QVERIFY(!t.valueSpan(QStringLiteral("/arr/0/x")));
    QString error;
    QVERIFY(t.replaceValue(QStringLiteral("/arr/1/0"), "21", &error));
    QCOMPARE(*t.replaceValue(QStringLiteral("/arr/1/0"), "21", &error),
             QByteArray(R"({"arr": [10, [21, {"k": 30}]]})"));
}

void TestJsoncText::duplicateKeysLastWins()
{
    const QByteArray text = "{\"a\": 1, \"b\": 2, \"a\": {\"x\": 3}}";
    const auto t = JsoncText::parse(text);
    QVERIFY(t.isValid());
    QCOMPARE(t.value(), json(R"({"a": {"x": 3}, "b": 2})"));
    QCOMPARE(t.valueSpan(QStringLiteral("/a"))->begin, text.lastIndexOf('{'));
    QCOMPARE(t.valueText(QStringLiteral("/a/x")), QByteArray("3"));
    QString error;
    const auto set = t.setMember(QString(), QStringLiteral("a"), 5, &error);
    QVERIFY2(set, qPrintable(error));
    QCOMPARE(*set, QByteArray("{\"a\": 1, \"b\": 2, \"a\": 5}"));
}

void TestJsoncText::byteOrderMark()
{
    const QByteArray text = "\xEF\xBB\xBF{\"a\": 1}";
    const auto t = JsoncText::parse(text);
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    QCOMPARE(t.valueSpan(QStringLiteral("/a"))->begin, qsizetype(9));
    QString error;
    const auto set = t.setMember(QString(), QStringLiteral("b"), 2, &error);
    QVERIFY2(set, qPrintable(error));
    QCOMPARE(*set, QByteArray("\xEF\xBB\xBF{\"a\": 1, \"b\": 2}"));
}

void TestJsoncText::spansAgreeWithValues()
{
    for (const QByteArray& text :
         {claude, QByteArray("[1, \"two\", {\"3\": [4, {}], \"\": []}, null, -0.5e-3, \"\\\"\"]"),
          QByteArray("{\"a\"//c\n:/*d*/{\"b\":[[[]]],},}")}) {
        const auto t = JsoncText::parse(text);
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QString where;
        QVERIFY2(spansAgree(t, t.value(), QString(), &where), qPrintable(where));
    }
}

void TestJsoncText::emptyText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("whitespace") << QByteArray(" \r\n\t\n");
    QTest::newRow("only a comment") << QByteArray("// nothing here\n/* or here */");
    QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF");
}

void TestJsoncText::emptyText()
{
    QFETCH(QByteArray, text);
    const auto t = JsoncText::parse(text);
    QVERIFY(!t.isValid());
    QCOMPARE(t.error(), QStringLiteral("empty"));
    QVERIFY(t.value().isUndefined());
    QCOMPARE(t.text(), text);
}

void TestJsoncText::errorPositions_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("missing colon") << QByteArray("{\n  \"a\": 1,\n  \"b\" 2\n}")
                                   << "line 3, column 7: expected ':' after a member name";
    QTest::newRow("missing comma") << QByteArray("{\"a\": 1 \"b\": 2}")
                                   << "line 1, column 9: expected ',' or '}'";
    QTest::newRow("columns count code points")
        << QByteArray("{\"é\": 1 x}") << "line 1, column 9: expected ',' or '}'";
    QTest::newRow("crlf") << QByteArray("{\r\n  \"a\": tru\r\n}")
                          << "line 2, column 8: unexpected character 't'; expected a value";
    QTest::newRow("garbage after") << QByteArray("{} x")
                                   << "line 1, column 4: unexpected text after the JSON value";
    QTest::newRow("unterminated comment")
        << QByteArray("{\n/* open") << "line 2, column 1: unterminated comment";
    QTest::newRow("single slash") << QByteArray("{/ x}")
                                  << "line 1, column 2: unexpected '/'; comments start with // or /*";
    QTest::newRow("unquoted key") << QByteArray("{a: 1}")
                                  << "line 1, column 2: expected a member name in double quotes or '}'";
    QTest::newRow("truncated") << QByteArray("{\"a\": [1, 2")
                               << "line 1, column 12: unexpected end of text; expected ',' or ']'";
}

void TestJsoncText::errorPositions()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    const auto t = JsoncText::parse(text);
    QVERIFY(!t.isValid());
    QCOMPARE(t.error(), error);
}

void TestJsoncText::hostileInputs_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("unterminated string") << QByteArray("{\"a\": \"x") << "unterminated string";
    QTest::newRow("unterminated key") << QByteArray("{\"a") << "unterminated string";
    QTest::newRow("missing value") << QByteArray("{\"a\":") << "unexpected end of text";
    QTest::newRow("deep arrays") << QByteArray(10000, '[') << "deeper than 256";
    QTest::newRow("deep objects") << QByteArray("{\"a\":").repeated(10000) << "deeper than 256";
    QTest::newRow("lone high surrogate") << QByteArray(R"(["\ud800"])") << "lone surrogate";
    QTest::newRow("lone low surrogate") << QByteArray(R"(["\udc00"])") << "lone surrogate";
    QTest::newRow("high surrogate then letter") << QByteArray(R"(["\ud800\u0041"])") << "lone surrogate";
    QTest::newRow("short escape") << QByteArray(R"(["\u12"])") << "\\u escape";
    QTest::newRow("bad escape") << QByteArray(R"(["\x"])") << "invalid escape";
    QTest::newRow("backslash at end") << QByteArray("[\"\\") << "unterminated string";
    QTest::newRow("NUL in string") << QByteArray("{\"a\": \"x\0y\"}", 11) << "NUL";
    QTest::newRow("NUL after value") << QByteArray("{}\0", 3) << "NUL";
    QTest::newRow("NUL alone") << QByteArray(1, '\0') << "NUL";
    QTest::newRow("unterminated comment") << QByteArray("/* unterminated") << "unterminated comment";
    QTest::newRow("unterminated comment after value") << QByteArray("{} /* x") << "unterminated comment";
    QTest::newRow("invalid UTF-8") << QByteArray("[\"\xff\"]") << "UTF-8";
    QTest::newRow("overlong UTF-8") << QByteArray("[\"\xc0\xaf\"]") << "UTF-8";
    QTest::newRow("encoded surrogate") << QByteArray("[\"\xed\xa0\x80\"]") << "UTF-8";
    QTest::newRow("cut UTF-8") << QByteArray("[\"\xe2\x82") << "UTF-8";
    QTest::newRow("raw newline in string") << QByteArray("[\"a\nb\"]") << "line break";
    QTest::newRow("control character") << QByteArray("[\"a\tb\"]") << "control character";
    QTest::newRow("number out of range") << QByteArray("[1e400]") << "out of range";
    QTest::newRow("bare minus") << QByteArray("[-]") << "invalid number";
    QTest::newRow("dot without digits") << QByteArray("[1.]") << "digit must follow";
    QTest::newRow("leading zero") << QByteArray("[01]") << "expected ',' or ']'";
    QTest::newRow("single quotes") << QByteArray("{'a': 1}") << "member name";
    QTest::newRow("extra brace") << QByteArray("{\"a\":1}}") << "unexpected text after";
    QTest::newRow("closing only") << QByteArray("]") << "unexpected character";
    QTest::newRow("quote only") << QByteArray("\"") << "unterminated string";
    QTest::newRow("misspelt literal") << QByteArray("[nul]") << "unexpected character";
    QTest::newRow("truncated literal") << QByteArray("tr") << "unexpected character";
    QTest::newRow("unclosed array") << QByteArray("[1, 2") << "unexpected end of text";
    QTest::newRow("unclosed object") << QByteArray("{\"a\": 1,") << "unexpected end of text";
}

void TestJsoncText::hostileInputs()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, errorPart);
    const auto t = JsoncText::parse(text);
    QVERIFY(!t.isValid());
    QVERIFY2(t.error().contains(errorPart), qPrintable(t.error()));
    QVERIFY(t.error().startsWith(u"line "));
    QVERIFY(t.value().isUndefined());
    QVERIFY(!t.valueSpan(QString()));
    QCOMPARE(t.text(), text);
    QString error;
    QVERIFY(!t.setMember(QString(), QStringLiteral("k"), 1, &error));
    QVERIFY(error.contains(t.error()));
    QVERIFY(!t.removeMember(QString(), QStringLiteral("k"), &error));
    QVERIFY(!t.replaceValue(QString(), "1", &error));
}

void TestJsoncText::depthLimit()
{
    const int max = JsoncText::MaxDepth;
    const auto fine = JsoncText::parse(QByteArray(max, '[') + QByteArray(max, ']'));
    QVERIFY2(fine.isValid(), qPrintable(fine.error()));
    const auto deep = JsoncText::parse(QByteArray(max + 1, '[') + QByteArray(max + 1, ']'));
    QVERIFY(!deep.isValid());
    QVERIFY(deep.error().contains(u"deeper than 256"));
    const auto huge = JsoncText::parse(QByteArray(100000, '[') + QByteArray(100000, ']'));
    QVERIFY(!huge.isValid());
}

void TestJsoncText::mutationsNeverCrash()
{
    // Every prefix of the sample, and random byte changes: an answer each time, never a crash, and what
    // parses is consistent and editable.
    for (qsizetype n = 0; n <= claude.lastIndexOf('}'); ++n) {
        const auto t = JsoncText::parse(claude.left(n));
        QVERIFY(!t.isValid());
        QVERIFY(!t.error().isEmpty());
    }
    QRandomGenerator random(20240611);
    static const char bytes[] = "{}[]\",:/*\\\n\r 0e-.atn\xff\xc3\x00u";
    const QByteArray alphabet(bytes, sizeof(bytes) - 1);
    int valid = 0;
    for (int round = 0; round < 3000; ++round) {
        QByteArray text = claude;
        const int changes = 1 + random.bounded(3);
        for (int c = 0; c < changes; ++c) {
            const qsizetype at = random.bounded(int(text.size()));
            const char byte = alphabet[random.bounded(int(alphabet.size()))];
            switch (random.bounded(3)) {
            case 0:
                text[at] = byte;
                break;
            case 1:
                text.insert(at, byte);
                break;
            default:
                text.remove(at, 1);
            }
        }
        const auto t = JsoncText::parse(text);
        if (!t.isValid()) {
            QVERIFY(!t.error().isEmpty());
            continue;
        }
        ++valid;
        QString where;
        QVERIFY2(spansAgree(t, t.value(), QString(), &where), qPrintable(where));
        QString error;
        const QJsonObject entry{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1/mcp")}};
        if (const auto set =
                t.setMember(QStringLiteral("/mcpServers"), QStringLiteral("gatehouse"), entry, &error))
            QCOMPARE(JsoncText::parse(*set).value()[u"mcpServers"][u"gatehouse"], QJsonValue(entry));
        if (const auto removed =
                t.removeMember(QStringLiteral("/mcpServers"), QStringLiteral("everything"), &error)) {
            QJsonObject servers = t.value()[u"mcpServers"].toObject();
            servers.remove(u"everything");
            QCOMPARE(JsoncText::parse(*removed).value()[u"mcpServers"], QJsonValue(servers));
        }
    }
    QVERIFY(valid > 100); // the mutations did reach the editing code
}

void TestJsoncText::replaceKeepsEveryOtherByte()
{
    const auto t = JsoncText::parse(claude);
    const QString pointer = QStringLiteral("/mcpServers/everything");
    const auto span = t.valueSpan(pointer);
    QVERIFY(span);
    QVERIFY(t.valueText(pointer).startsWith("{\r\n      \"command\""));
    QVERIFY(t.valueText(pointer).endsWith("// the demo\r\n    }"));
    const QByteArray raw = R"({"command": "gatehouse", "args": ["bridge", "connect"]})";
    QString error;
    const auto result = t.replaceValue(pointer, raw, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(result->left(span->begin), claude.left(span->begin));
    QCOMPARE(result->mid(span->begin, raw.size()), raw);
    QCOMPARE(result->mid(span->begin + raw.size()), claude.mid(span->end));
    QCOMPARE(result->size(), claude.size() - span->size() + raw.size());

    QJsonObject servers = t.value()[u"mcpServers"].toObject();
    servers.insert(u"everything", json(raw));
    const auto again = JsoncText::parse(*result);
    QVERIFY2(again.isValid(), qPrintable(again.error()));
    QCOMPARE(again.value(),
             QJsonValue(withMember(t.value().toObject(), QStringLiteral("mcpServers"), servers)));
    QVERIFY(again.hasComments());
}

void TestJsoncText::replaceWithOldTextGivesOriginal()
{
    const auto t = JsoncText::parse(claude);
    QString error;
    for (const QString& pointer :
         {QString(), QStringLiteral("/mcpServers"), QStringLiteral("/mcpServers/filesystem/args/2"),
          QStringLiteral("/globalShortcut"), QStringLiteral("/mcpServers/everything/args")}) {
        const auto same = t.replaceValue(pointer, t.valueText(pointer), &error);
        QVERIFY2(same, qPrintable(error));
        QCOMPARE(*same, claude);
    }
}

void TestJsoncText::replaceRejectsBadValues()
{
    const auto t = JsoncText::parse(R"({"a": 1, "b": 2})");
    QString error;
    QVERIFY(!t.replaceValue(QStringLiteral("/a"), "nope", &error));
    QVERIFY(error.contains(u"not JSON"));
    QVERIFY(!t.replaceValue(QStringLiteral("/a"), "", &error));
    QVERIFY(!t.replaceValue(QStringLiteral("/c"), "1", &error));
    QVERIFY(error.contains(u"no value"));
    // Valid on its own, but its line comment would swallow the comma that follows.
    QVERIFY(!t.replaceValue(QStringLiteral("/a"), "1 // x", &error));
    QVERIFY(error.contains(u"invalid"));
    const auto commented = t.replaceValue(QStringLiteral("/a"), "/* one */ 1", &error);
    QVERIFY2(commented, qPrintable(error));
    QCOMPARE(*commented, QByteArray(R"({"a": /* one */ 1, "b": 2})"));
}

void TestJsoncText::setMemberReplacesInPlace()
{
    const auto t = JsoncText::parse(claude);
    const QJsonObject entry{
        {QStringLiteral("command"), QStringLiteral("gatehouse")},
        {QStringLiteral("args"), QJsonArray{QStringLiteral("bridge"), QStringLiteral("connect")}}};
    QString error;
    const auto result =
        t.setMember(QStringLiteral("/mcpServers"), QStringLiteral("everything"), entry, &error);
    QVERIFY2(result, qPrintable(error));
    const auto span = *t.valueSpan(QStringLiteral("/mcpServers/everything"));
    const QByteArray written = "{\r\n"
                               "      \"args\": [\r\n"
                               "        \"bridge\",\r\n"
                               "        \"connect\"\r\n"
                               "      ],\r\n"
                               "      \"command\": \"gatehouse\"\r\n"
                               "    }";
    QCOMPARE(*result, claude.left(span.begin) + written + claude.mid(span.end));
    QCOMPARE(JsoncText::parse(*result).value()[u"mcpServers"][u"everything"], QJsonValue(entry));

    // A scalar member keeps its place just as well.
    const auto shortcut =
        t.setMember(QString(), QStringLiteral("globalShortcut"), QStringLiteral("Alt+G"), &error);
    QVERIFY2(shortcut, qPrintable(error));
    QByteArray expected = claude;
    expected.replace("\"Ctrl+Space\"", "\"Alt+G\"");
    QCOMPARE(*shortcut, expected);
}

void TestJsoncText::setMemberAppendsAfterTrailingComma()
{
    // The Claude sample's last server has a trailing comma: no ",," and Windows line endings throughout.
    const auto t = JsoncText::parse(claude);
    const QJsonObject entry{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:8080/mcp")}};
    QString error;
    const auto result =
        t.setMember(QStringLiteral("/mcpServers"), QStringLiteral("gatehouse"), entry, &error);
    QVERIFY2(result, qPrintable(error));
    QByteArray expected = claude;
    expected.replace("\"C:\\\\Users\\\\me\"],\r\n    },\r\n",
                     "\"C:\\\\Users\\\\me\"],\r\n    },\r\n"
                     "    \"gatehouse\": {\r\n"
                     "      \"url\": \"http://127.0.0.1:8080/mcp\"\r\n"
                     "    }\r\n");
    QVERIFY(expected != claude);
    QCOMPARE(*result, expected);
    QVERIFY(!result->contains(",,"));
    QCOMPARE(result->count('\n'), result->count("\r\n"));
    QCOMPARE(JsoncText::parse(*result).value()[u"mcpServers"][u"gatehouse"], QJsonValue(entry));

    const auto small = JsoncText::parse("{\n  \"a\": 1,\n}\n");
    const auto appended = small.setMember(QString(), QStringLiteral("b"), 2, &error);
    QVERIFY2(appended, qPrintable(error));
    QCOMPARE(*appended, QByteArray("{\n  \"a\": 1,\n  \"b\": 2\n}\n"));
}

void TestJsoncText::setMemberFollowsFourSpaces()
{
    const QByteArray text = "{\n"
                            "    \"mcpServers\": {\n"
                            "        \"a\": {\n"
                            "            \"command\": \"x\"\n"
                            "        }\n"
                            "    }\n"
                            "}\n";
    const auto t = JsoncText::parse(text);
    QString error;
    const QJsonObject entry{{QStringLiteral("command"), QStringLiteral("y")},
                            {QStringLiteral("env"), QJsonObject{{QStringLiteral("K"), QStringLiteral("v")}}},
                            {QStringLiteral("args"), QJsonArray{}}};
    const auto result = t.setMember(QStringLiteral("/mcpServers"), QStringLiteral("b"), entry, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, QByteArray("{\n"
                                 "    \"mcpServers\": {\n"
                                 "        \"a\": {\n"
                                 "            \"command\": \"x\"\n"
                                 "        },\n"
                                 "        \"b\": {\n"
                                 "            \"args\": [],\n"
                                 "            \"command\": \"y\",\n"
                                 "            \"env\": {\n"
                                 "                \"K\": \"v\"\n"
                                 "            }\n"
                                 "        }\n"
                                 "    }\n"
                                 "}\n"));
}

void TestJsoncText::setMemberFollowsTabs()
{
    const auto t = JsoncText::parse("{\n\t\"servers\": {\n\t\t\"a\": 1 // one\n\t}\n}");
    QString error;
    const auto result = t.setMember(QStringLiteral("/servers"), QStringLiteral("b"),
                                    QJsonArray{1, QStringLiteral("2")}, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(
        *result,
        QByteArray(
            "{\n\t\"servers\": {\n\t\t\"a\": 1, // one\n\t\t\"b\": [\n\t\t\t1,\n\t\t\t\"2\"\n\t\t]\n\t}\n}"));
}

void TestJsoncText::setMemberIntoSmallObjects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("expected");
    const QJsonValue v(QStringLiteral("v"));
    const QJsonValue server(QJsonObject{{QStringLiteral("command"), QStringLiteral("x")}});
    QTest::newRow("{}") << QByteArray("{}") << QString() << v << QByteArray("{\n  \"k\": \"v\"\n}");
    QTest::newRow("{ }") << QByteArray("{ }") << QString() << v << QByteArray("{\n  \"k\": \"v\"\n}");
    QTest::newRow("{ newline }") << QByteArray("{\n}\n") << QString() << v
                                 << QByteArray("{\n  \"k\": \"v\"\n}\n");
    QTest::newRow("only a line comment") << QByteArray("{\n  // nothing yet\n}") << QString() << v
                                         << QByteArray("{\n  // nothing yet\n  \"k\": \"v\"\n}");
    QTest::newRow("only a block comment")
        << QByteArray("{/* none */}") << QString() << v << QByteArray("{/* none */\n  \"k\": \"v\"\n}");
    QTest::newRow("empty servers on one line")
        << QByteArray("{\"mcpServers\": {}}") << "/mcpServers" << server
        << QByteArray("{\"mcpServers\": {\"k\": {\"command\": \"x\"}}}");
    QTest::newRow("empty servers") << QByteArray("{\n    \"mcpServers\": {}\n}") << "/mcpServers" << server
                                   << QByteArray("{\n    \"mcpServers\": {\n        \"k\": {\n"
                                                 "            \"command\": \"x\"\n        }\n    }\n}");
    QTest::newRow("empty servers with a comment")
        << QByteArray("{\n  \"mcpServers\": { /* add here */ }\n}") << "/mcpServers" << server
        << QByteArray("{\n  \"mcpServers\": { /* add here */\n    \"k\": {\n      \"command\": \"x\"\n    "
                      "}\n  }\n}");
    QTest::newRow("one line") << QByteArray("{\"a\": 1}") << QString() << v
                              << QByteArray("{\"a\": 1, \"k\": \"v\"}");
    QTest::newRow("one line, trailing comma")
        << QByteArray("{\"a\": 1,}") << QString() << v << QByteArray("{\"a\": 1, \"k\": \"v\"}");
    QTest::newRow("minified") << QByteArray("{\"a\":{\"b\":1}}") << "/a" << server
                              << QByteArray("{\"a\":{\"b\":1,\"k\":{\"command\":\"x\"}}}");
    QTest::newRow("brace after last member")
        << QByteArray("{\n  \"a\": 1}") << QString() << v << QByteArray("{\n  \"a\": 1,\n  \"k\": \"v\"\n}");
    QTest::newRow("comment after last member") << QByteArray("{\n  \"a\": 1 /* one */\n}") << QString() << v
                                               << QByteArray("{\n  \"a\": 1, /* one */\n  \"k\": \"v\"\n}");
    QTest::newRow("spaced colon") << QByteArray("{\n  \"a\" : 1\n}") << QString() << server
                                  << QByteArray(
                                         "{\n  \"a\" : 1,\n  \"k\" : {\n    \"command\" : \"x\"\n  }\n}");
}

void TestJsoncText::setMemberIntoSmallObjects()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, pointer);
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, expected);
    const auto t = JsoncText::parse(text);
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    QString error;
    const auto result = t.setMember(pointer, QStringLiteral("k"), value, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, expected);
    const auto again = JsoncText::parse(*result);
    QVERIFY2(again.isValid(), qPrintable(again.error()));
    QCOMPARE(again.valueText(JsonPointer::append(pointer, QStringLiteral("k"))).isEmpty(), false);
    QCOMPARE(JsoncText::parse(again.valueText(JsonPointer::append(pointer, QStringLiteral("k")))).value(),
             value);
}

void TestJsoncText::setMemberCreatesMissingObjects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("no servers yet") << QByteArray("{\n  \"globalShortcut\": \"Ctrl+Space\"\n}\n")
                                    << "/mcpServers"
                                    << QByteArray(
                                           "{\n  \"globalShortcut\": \"Ctrl+Space\",\n  \"mcpServers\": {\n"
                                           "    \"gatehouse\": {\n      \"command\": \"g\"\n    }\n  }\n}\n");
    QTest::newRow("empty file object") << QByteArray("{}") << "/mcpServers"
                                       << QByteArray("{\n  \"mcpServers\": {\n    \"gatehouse\": {\n"
                                                     "      \"command\": \"g\"\n    }\n  }\n}");
    QTest::newRow("two levels") << QByteArray("{\n    \"x\": 1\n}") << "/a/b"
                                << QByteArray(
                                       "{\n    \"x\": 1,\n    \"a\": {\n        \"b\": {\n"
                                       "            \"gatehouse\": {\n                \"command\": \"g\"\n"
                                       "            }\n        }\n    }\n}");
    QTest::newRow("one level missing below an existing one")
        << QByteArray("{\"a\": {}}") << "/a/b"
        << QByteArray("{\"a\": {\"b\": {\"gatehouse\": {\"command\": \"g\"}}}}");
}

void TestJsoncText::setMemberCreatesMissingObjects()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, pointer);
    QFETCH(QByteArray, expected);
    const QJsonObject entry{{QStringLiteral("command"), QStringLiteral("g")}};
    const auto t = JsoncText::parse(text);
    QString error;
    const auto result = t.setMember(pointer, QStringLiteral("gatehouse"), entry, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, expected);
    const auto again = JsoncText::parse(*result);
    QVERIFY(again.isValid());
    QCOMPARE(JsoncText::parse(again.valueText(pointer + QStringLiteral("/gatehouse"))).value(),
             QJsonValue(entry));
}

void TestJsoncText::setMemberEscapes()
{
    const auto t = JsoncText::parse("{\n  \"a\": 1\n}");
    const QString key = QStringLiteral("qu\"o/te~ é\U0001F600");
    const QJsonObject value{
        {QStringLiteral("s"), QStringLiteral("line\nbreak \"quoted\" back\\slash \t tab \x01 é\U0001F600")},
        {QStringLiteral("n"), 1.5},
        {QStringLiteral("i"), qint64(9007199254740993LL)},
        {QStringLiteral("b"), false},
        {QStringLiteral("z"), QJsonValue(QJsonValue::Null)}};
    QString error;
    const auto result = t.setMember(QString(), key, value, &error);
    QVERIFY2(result, qPrintable(error));
    const auto again = JsoncText::parse(*result);
    QVERIFY2(again.isValid(), qPrintable(again.error()));
    QCOMPARE(again.value(), QJsonValue(QJsonObject{{QStringLiteral("a"), 1}, {key, value}}));
    QCOMPARE(again.valueText(JsonPointer::append(QString(), key) + QStringLiteral("/i")),
             QByteArray("9007199254740993"));
    QVERIFY(!t.setMember(QString(), key, QJsonValue(QJsonValue::Undefined), &error));
}

void TestJsoncText::setMemberErrors()
{
    const auto t = JsoncText::parse(claude);
    QString error;
    QVERIFY(!t.setMember(QStringLiteral("/globalShortcut"), QStringLiteral("k"), 1, &error));
    QCOMPARE(error, QStringLiteral("\"/globalShortcut\" is not an object"));
    QVERIFY(!t.setMember(QStringLiteral("/mcpServers/everything/args"), QStringLiteral("k"), 1, &error));
    QVERIFY(error.contains(u"not an object"));
    QVERIFY(!t.setMember(QStringLiteral("/mcpServers/everything/args/0/x"), QStringLiteral("k"), 1, &error));
    QVERIFY(error.contains(u"not an object"));
    QVERIFY(!t.setMember(QStringLiteral("mcpServers"), QStringLiteral("k"), 1, &error));
    QVERIFY(error.contains(u"not a JSON pointer"));
    QVERIFY(!JsoncText::parse("[1]").setMember(QString(), QStringLiteral("k"), 1, &error));
    QCOMPARE(error, QStringLiteral("the top level is not an object"));
    QVERIFY(!JsoncText::parse("{\"a\": ").setMember(QString(), QStringLiteral("k"), 1, nullptr));
}

void TestJsoncText::removeMember_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray three = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n";
    QTest::newRow("first") << three << "a" << QByteArray("{\n  \"b\": 2,\n  \"c\": 3\n}\n");
    QTest::newRow("middle") << three << "b" << QByteArray("{\n  \"a\": 1,\n  \"c\": 3\n}\n");
    QTest::newRow("last") << three << "c" << QByteArray("{\n  \"a\": 1,\n  \"b\": 2\n}\n");
    QTest::newRow("only") << QByteArray("{\n  \"a\": 1\n}\n") << "a" << QByteArray("{}\n");
    QTest::newRow("only, trailing comma") << QByteArray("{\n  \"a\": 1,\n}") << "a" << QByteArray("{}");
    QTest::newRow("last with trailing comma")
        << QByteArray("{\n  \"a\": 1,\n  \"b\": 2,\n}") << "b" << QByteArray("{\n  \"a\": 1,\n}");
    QTest::newRow("comments stay with their lines")
        << QByteArray("{\n  \"a\": 1, // one\n  // about b\n  \"b\": 2 // two\n}") << "b"
        << QByteArray("{\n  \"a\": 1 // one\n  // about b\n}");
    QTest::newRow("a comment keeps the object open")
        << QByteArray("{\n  // keep\n  \"a\": 1\n}") << "a" << QByteArray("{\n  // keep\n}");
    QTest::newRow("one line, first") << QByteArray("{\"a\": 1, \"b\": 2, \"c\": 3}") << "a"
                                     << QByteArray("{\"b\": 2, \"c\": 3}");
    QTest::newRow("one line, middle")
        << QByteArray("{\"a\": 1, \"b\": 2, \"c\": 3}") << "b" << QByteArray("{\"a\": 1, \"c\": 3}");
    QTest::newRow("one line, last") << QByteArray("{\"a\": 1, \"b\": 2, \"c\": 3}") << "c"
                                    << QByteArray("{\"a\": 1, \"b\": 2}");
    QTest::newRow("one line, only") << QByteArray("{ \"a\": [1] }") << "a" << QByteArray("{}");
    QTest::newRow("crlf") << QByteArray("{\r\n  \"a\": 1,\r\n  \"b\": {\r\n    \"x\": 2\r\n  }\r\n}\r\n")
                          << "b" << QByteArray("{\r\n  \"a\": 1\r\n}\r\n");
    QTest::newRow("two on a line") << QByteArray("{\n  \"a\": 1, \"b\": 2,\n  \"c\": 3\n}") << "a"
                                   << QByteArray("{\n  \"b\": 2,\n  \"c\": 3\n}");
}

void TestJsoncText::removeMember()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, key);
    QFETCH(QByteArray, expected);
    const auto t = JsoncText::parse(text);
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    QString error;
    const auto result = t.removeMember(QString(), key, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, expected);
    QJsonObject object = t.value().toObject();
    object.remove(key);
    const auto again = JsoncText::parse(*result);
    QVERIFY2(again.isValid(), qPrintable(again.error()));
    QCOMPARE(again.value(), QJsonValue(object));
}

void TestJsoncText::removeServerFromClaudeFile()
{
    const auto t = JsoncText::parse(claude);
    QString error;
    const auto result = t.removeMember(QStringLiteral("/mcpServers"), QStringLiteral("everything"), &error);
    QVERIFY2(result, qPrintable(error));
    const qsizetype from = claude.indexOf("    \"everything\"");
    const qsizetype to = claude.indexOf("    /* the file system */");
    QCOMPARE(*result, claude.left(from) + claude.mid(to));

    const auto last = t.removeMember(QStringLiteral("/mcpServers"), QStringLiteral("filesystem"), &error);
    QVERIFY2(last, qPrintable(error));
    QCOMPARE(*last, claude.left(claude.indexOf("    \"filesystem\"")) +
                        claude.mid(claude.indexOf("  },\r\n  \"global")));

    const auto setting = t.removeMember(QString(), QStringLiteral("globalShortcut"), &error);
    QVERIFY2(setting, qPrintable(error));
    QByteArray expected = claude;
    expected.replace("  },\r\n  \"globalShortcut\": \"Ctrl+Space\"\r\n}", "  }\r\n}");
    QCOMPARE(*setting, expected);
}

void TestJsoncText::removeDuplicates()
{
    const auto t = JsoncText::parse("{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}");
    QString error;
    const auto result = t.removeMember(QString(), QStringLiteral("a"), &error);
    QVERIFY2(result, qPrintable(error));
    // Removing only the last "a" would bring the first one back.
    QCOMPARE(*result, QByteArray("{\n  \"b\": 2\n}"));
}

void TestJsoncText::removeErrors()
{
    const auto t = JsoncText::parse(claude);
    QString error;
    QVERIFY(!t.removeMember(QStringLiteral("/mcpServers"), QStringLiteral("nope"), &error));
    QVERIFY(error.contains(u"no member \"nope\""));
    QVERIFY(!t.removeMember(QStringLiteral("/nope"), QStringLiteral("x"), &error));
    QVERIFY(error.contains(u"no value"));
    QVERIFY(!t.removeMember(QStringLiteral("/globalShortcut"), QStringLiteral("x"), &error));
    QVERIFY(error.contains(u"not an object"));
}

void TestJsoncText::removeThenAddIsClean_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("last of two") << QByteArray(
        "{\n  \"mcpServers\": {\n    \"a\": {\n      \"command\": \"x\"\n    },\n"
        "    \"gatehouse\": {\n      \"args\": [\n        \"bridge\"\n      ],\n"
        "      \"command\": \"g\"\n    }\n  }\n}\n");
    QTest::newRow("only") << QByteArray("{\n    \"mcpServers\": {\n        \"gatehouse\": {\n"
                                        "            \"command\": \"g\"\n        }\n    }\n}\n");
    QTest::newRow("crlf") << QByteArray(
        "{\r\n  \"mcpServers\": {\r\n    \"a\": 1,\r\n    \"gatehouse\": 2\r\n  }\r\n}");
}

void TestJsoncText::removeThenAddIsClean()
{
    QFETCH(QByteArray, text);
    const auto t = JsoncText::parse(text);
    QVERIFY2(t.isValid(), qPrintable(t.error()));
    const QString servers = QStringLiteral("/mcpServers");
    const QJsonValue entry = t.value()[u"mcpServers"][u"gatehouse"];
    QString error;
    const auto removed = t.removeMember(servers, QStringLiteral("gatehouse"), &error);
    QVERIFY2(removed, qPrintable(error));
    QVERIFY(!removed->contains("gatehouse"));
    const auto added =
        JsoncText::parse(*removed).setMember(servers, QStringLiteral("gatehouse"), entry, &error);
    QVERIFY2(added, qPrintable(error));
    QCOMPARE(*added, text);
}

QTEST_APPLESS_MAIN(TestJsoncText)
#include "tst_jsonctext.moc"
