// SPDX-License-Identifier: GPL-3.0-or-later
#include "DescriptionCheck.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace gatehouse {

namespace {

QString excerptAround(const QString& text, qsizetype at, qsizetype length)
{
    const qsizetype from = std::max<qsizetype>(0, at - 20);
    QString out = text.mid(from, std::min<qsizetype>(length + 40, 120)).simplified();
    if (from > 0)
        out.prepend(u'…');
    if (from + length + 40 < text.size())
        out.append(u'…');
    return out;
}

struct Pattern
{
    QRegularExpression re;
    const char* reason;
};

const QList<Pattern>& patterns()
{
    static const QList<Pattern> all = [] {
        const auto ci = QRegularExpression::CaseInsensitiveOption;
        return QList<Pattern>{
            {QRegularExpression(QStringLiteral("<\\s*/?\\s*(important|system|instructions?|secret|hidden|"
                                               "admin|critical|note|prompt)\\b[^>]*>"),
                                ci),
             "a tag such as <IMPORTANT> that hides instructions for the model"},
            {QRegularExpression(
                 QStringLiteral("\\b(ignore|disregard|forget)\\b.{0,30}\\b(previous|prior|above|"
                                "earlier|other)\\b.{0,20}\\b(instructions?|rules?|prompts?)"),
                 ci),
             "text telling the model to ignore its instructions"},
            {QRegularExpression(
                 QStringLiteral("\\b(do not|don't|never)\\b.{0,30}\\b(tell|mention|inform|show|"
                                "reveal)\\b.{0,20}\\b(the )?user"),
                 ci),
             "text asking the model to keep something from the user"},
            {QRegularExpression(
                 QStringLiteral("\\b(before|after|instead of)\\s+(using|calling|running)\\s+(this|"
                                "any|the)\\b.{0,20}\\b(tool|function)"),
                 ci),
             "text telling the model what to do around tool calls"},
            {QRegularExpression(
                 QStringLiteral("\\b(you|the assistant|the ai|the model|claude|llm)\\s+(must|should|"
                                "will|need to|are required to|have to)\\b"),
                 ci),
             "text addressed to the model"},
            {QRegularExpression(QStringLiteral("(~/\\.ssh|id_rsa|\\.env\\b|/etc/passwd|credentials?\\.json|"
                                               "mcp\\.json|api[_ -]?keys?)"),
                                ci),
             "a mention of credentials or private files"},
            {QRegularExpression(QStringLiteral("(https?://|www\\.)\\S+"), ci), "a link"},
            {QRegularExpression(QStringLiteral("[ \\t]{20,}|(\\r?\\n\\s*){6,}")),
             "a long run of whitespace that can push text out of view"},
            {QRegularExpression(QStringLiteral("[\\x{200B}-\\x{200F}\\x{202A}-\\x{202E}\\x{2060}-\\x{2064}"
                                               "\\x{FEFF}\\x{E0000}-\\x{E007F}]")),
             "invisible or direction-changing characters"},
        };
    }();
    return all;
}

void checkText(const QString& where, const QString& text, QList<DescriptionFlag>* out)
{
    if (text.isEmpty())
        return;
    for (const Pattern& p : patterns()) {
        const QRegularExpressionMatch m = p.re.match(text);
        if (m.hasMatch())
            out->append({where, QString::fromUtf8(p.reason),
                         excerptAround(text, m.capturedStart(), m.capturedLength())});
    }
    if (text.size() > 2000)
        out->append({where, QStringLiteral("an unusually long text (%1 characters)").arg(text.size()),
                     excerptAround(text, 0, 60)});
}

// Every "description" and "title" string inside a schema.
void checkSchema(const QString& where, const QJsonValue& v, QList<DescriptionFlag>* out, int depth = 0)
{
    if (depth > 32)
        return;
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString at = where + u'/' + it.key();
            if ((it.key() == u"description" || it.key() == u"title") && it.value().isString())
                checkText(at, it.value().toString(), out);
            else
                checkSchema(at, it.value(), out, depth + 1);
        }
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            checkSchema(where + u'/' + QString::number(i), a.at(i), out, depth + 1);
    }
}

} // namespace

QList<DescriptionFlag> checkToolDefinition(const QJsonObject& tool)
{
    QList<DescriptionFlag> out;
    checkText(QStringLiteral("description"), tool.value(QStringLiteral("description")).toString(), &out);
    checkText(QStringLiteral("title"), tool.value(QStringLiteral("title")).toString(), &out);
    checkSchema(QStringLiteral("inputSchema"), tool.value(QStringLiteral("inputSchema")), &out);
    checkSchema(QStringLiteral("outputSchema"), tool.value(QStringLiteral("outputSchema")), &out);
    return out;
}

} // namespace gatehouse
