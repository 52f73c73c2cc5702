// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyParser.h"

#include "json/JsonPointer.h"
#include "json/JsonSource.h"
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <tuple>

namespace gatehouse {

namespace {

using Keys = std::initializer_list<const char*>;

// Levenshtein distance, for "did you mean" hints on misspelt field names.
int editDistance(const QString& a, const QString& b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

QString typeName(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    default:
        return QStringLiteral("nothing");
    }
}

constexpr qint64 MaxExactInteger = 9007199254740991; // 2^53 - 1
constexpr qint64 MaxWindowSeconds = 366LL * 86400;

class Validator
{
public:
    explicit Validator(const JsonSource& source)
        : m_src(source)
    {}

    Diagnostics errors;

    std::optional<Policy> run()
    {
        const QJsonValue root = m_src.root();
        if (!root.isObject()) {
            error(QString(), QStringLiteral("a policy is a JSON object, not %1").arg(typeName(root)));
            return std::nullopt;
        }
        const QJsonObject o = root.toObject();
        const QString at;
        checkFields(o, at, {"version", "description", "default", "hide", "all_tools", "approval", "tools"});

        Policy p;
        if (const auto v = required(o, at, "version")) {
            if (!v->isString())
                error(ptr(at, "version"),
                      QStringLiteral("\"version\" must be the string \"1\", not %1").arg(typeName(*v)));
            else if (v->toString() != u'1')
                error(ptr(at, "version"),
                      QStringLiteral("unsupported version \"%1\"; only \"1\" exists").arg(v->toString()));
        }
        if (o.contains(u"description"))
            p.description = string(o, at, "description");
        if (const auto v = required(o, at, "default")) {
            const auto d = oneOf(*v, ptr(at, "default"), "default", {"allow", "deny", "approve"});
            p.defaultAction = d == 0   ? PolicyDefault::Allow
                              : d == 2 ? PolicyDefault::Approve
                                       : PolicyDefault::Deny;
        }
        if (o.contains(u"hide"))
            p.hide = hideList(o.value(u"hide"), ptr(at, "hide"));
        if (o.contains(u"all_tools"))
            p.allTools = allTools(o.value(u"all_tools"), ptr(at, "all_tools"));
        if (o.contains(u"approval"))
            p.approval = approval(o.value(u"approval"), ptr(at, "approval"));
        if (o.contains(u"tools"))
            p.tools = tools(o.value(u"tools"), ptr(at, "tools"));
        if (!errors.isEmpty())
            return std::nullopt;
        return p;
    }

private:
    static QString ptr(const QString& parent, const char* key)
    {
        return JsonPointer::append(parent, QString::fromLatin1(key));
    }

    void error(const QString& pointer, const QString& message) { errors.append(m_src.at(pointer, message)); }
    void keyError(const QString& pointer, const QString& message)
    {
        errors.append(m_src.atKey(pointer, message));
    }

    void checkFields(const QJsonObject& o, const QString& at, Keys allowed)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString& key = it.key();
            bool known = false;
            QString best;
            int bestDistance = 3;
            for (const char* a : allowed) {
                const QString name = QString::fromLatin1(a);
                if (name == key) {
                    known = true;
                    break;
                }
                const int d = editDistance(key, name);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = name;
                }
            }
            if (known)
                continue;
            QString message = QStringLiteral("unknown field \"%1\"").arg(key);
            if (!best.isEmpty())
                message += QStringLiteral("; did you mean \"%1\"?").arg(best);
            keyError(JsonPointer::append(at, key), message);
        }
    }

    std::optional<QJsonValue> required(const QJsonObject& o, const QString& at, const char* key)
    {
        const auto it = o.constFind(QLatin1String(key));
        if (it == o.constEnd()) {
            error(ptr(at, key), QStringLiteral("\"%1\" is required").arg(QLatin1String(key)));
            return std::nullopt;
        }
        return it.value();
    }

    std::optional<QString> string(const QJsonObject& o, const QString& at, const char* key)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isString()) {
            error(ptr(at, key),
                  QStringLiteral("\"%1\" must be a string, not %2").arg(QLatin1String(key), typeName(v)));
            return std::nullopt;
        }
        return v.toString();
    }

    // Index of the value among `options`, or -1 after reporting an error.
    int oneOf(const QJsonValue& v, const QString& pointer, const char* field, Keys options)
    {
        QStringList names;
        int i = 0;
        for (const char* o : options) {
            if (v.isString() && v.toString() == QLatin1String(o))
                return i;
            names << QStringLiteral("\"%1\"").arg(QLatin1String(o));
            ++i;
        }
        const QString got = v.isString() ? QStringLiteral("\"%1\"").arg(v.toString()) : typeName(v);
        error(pointer, QStringLiteral("\"%1\" must be one of %2, not %3")
                           .arg(QLatin1String(field), names.join(QStringLiteral(", ")), got));
        return -1;
    }

    std::optional<QJsonObject> object(const QJsonValue& v, const QString& pointer, const QString& what)
    {
        if (!v.isObject()) {
            error(pointer, QStringLiteral("%1 must be an object, not %2").arg(what, typeName(v)));
            return std::nullopt;
        }
        return v.toObject();
    }

    std::optional<QJsonArray> array(const QJsonValue& v, const QString& pointer, const QString& what)
    {
        if (!v.isArray()) {
            error(pointer, QStringLiteral("%1 must be an array, not %2").arg(what, typeName(v)));
            return std::nullopt;
        }
        return v.toArray();
    }

    QStringList hideList(const QJsonValue& v, const QString& at)
    {
        QStringList names;
        const auto a = array(v, at, QStringLiteral("\"hide\""));
        if (!a)
            return names;
        for (qsizetype i = 0; i < a->size(); ++i) {
            const QJsonValue e = a->at(i);
            if (!e.isString() || e.toString().isEmpty())
                error(JsonPointer::append(at, i),
                      QStringLiteral("\"hide\" lists tool names; an entry must be a non-empty string, not %1")
                          .arg(e.isString() ? QStringLiteral("\"\"") : typeName(e)));
            else
                names << e.toString();
        }
        return names;
    }

    AllTools allTools(const QJsonValue& v, const QString& at)
    {
        AllTools all;
        const auto o = object(v, at, QStringLiteral("\"all_tools\""));
        if (!o)
            return all;
        checkFields(*o, at, {"limits"});
        if (o->contains(u"limits"))
            all.limits = limits(o->value(u"limits"), ptr(at, "limits"));
        return all;
    }

    std::optional<WebhookSettings> webhook(const QJsonValue& v, const QString& at)
    {
        const auto o = object(v, at, QStringLiteral("\"webhook\""));
        if (!o)
            return std::nullopt;
        checkFields(*o, at, {"url", "secret", "secret_env"});
        WebhookSettings w;
        if (const auto u = required(*o, at, "url")) {
            const QUrl url(u->toString(), QUrl::StrictMode);
            const bool loopback =
                url.host() == u"127.0.0.1" || url.host() == u"localhost" || url.host() == u"::1";
            // The post carries the call's arguments: encrypted unless it stays on this machine.
            if (!u->isString() || !url.isValid() || url.host().isEmpty() ||
                !(url.scheme() == u"https" || (url.scheme() == u"http" && loopback)))
                error(ptr(at, "url"), QStringLiteral("\"url\" must be an https:// address (or http:// on "
                                                     "127.0.0.1 or localhost)"));
            else if (!url.userInfo().isEmpty())
                error(ptr(at, "url"), QStringLiteral("\"url\" must not carry a user name or password; the "
                                                     "signature authenticates the posts"));
            else
                w.url = url.toString();
        }
        if (o->contains(u"secret"))
            w.secret = string(*o, at, "secret");
        if (o->contains(u"secret_env"))
            w.secretEnv = string(*o, at, "secret_env");
        if (w.secret && w.secretEnv)
            error(ptr(at, "secret_env"), QStringLiteral("give \"secret\" or \"secret_env\", not both"));
        else if (!(w.secret && !w.secret->isEmpty()) && !(w.secretEnv && !w.secretEnv->isEmpty()))
            error(at, QStringLiteral(
                          "a webhook needs \"secret\" or \"secret_env\" (its posts are signed with it)"));
        return w;
    }

    // A whole number of seconds from min to max, if the member is there.
    std::optional<int> seconds(const QJsonObject& o, const QString& at, const char* field, int min, int max)
    {
        const QString key = QString::fromLatin1(field);
        if (!o.contains(key))
            return std::nullopt;
        const QJsonValue t = o.value(key);
        const double d = t.toDouble();
        if (t.isDouble() && d == std::trunc(d) && d >= min && d <= max)
            return int(d);
        error(ptr(at, field),
              QStringLiteral("\"%1\" must be a whole number from %2 to %3").arg(key).arg(min).arg(max));
        return std::nullopt;
    }

    ApprovalSettings approval(const QJsonValue& v, const QString& at)
    {
        ApprovalSettings s;
        const auto o = object(v, at, QStringLiteral("\"approval\""));
        if (!o)
            return s;
        checkFields(*o, at,
                    {"timeout_seconds", "on_timeout", "hold_seconds", "valid_seconds", "on_cancel",
                     "client_links", "webhook"});
        if (o->contains(u"client_links")) {
            if (o->value(u"client_links").isBool())
                s.clientLinks = o->value(u"client_links").toBool();
            else
                error(ptr(at, "client_links"), QStringLiteral("\"client_links\" must be true or false"));
        }
        if (o->contains(u"webhook"))
            s.webhook = webhook(o->value(u"webhook"), ptr(at, "webhook"));
        s.timeoutSeconds = seconds(*o, at, "timeout_seconds", 1, ApprovalSettings::MaxTimeoutSeconds);
        s.holdSeconds = seconds(*o, at, "hold_seconds", 0, 3600);
        s.validSeconds = seconds(*o, at, "valid_seconds", 1, ApprovalSettings::MaxTimeoutSeconds);
        if (o->contains(u"on_cancel")) {
            const int i =
                oneOf(o->value(u"on_cancel"), ptr(at, "on_cancel"), "on_cancel", {"keep", "withdraw"});
            if (i >= 0)
                s.withdrawOnCancel = i == 1;
        }
        if (o->contains(u"on_timeout")) {
            const int i =
                oneOf(o->value(u"on_timeout"), ptr(at, "on_timeout"), "on_timeout", {"deny", "allow"});
            if (i >= 0)
                s.onTimeout = i == 0 ? TimeoutOutcome::Deny : TimeoutOutcome::Allow;
        }
        return s;
    }

    QHash<QString, ToolPolicy> tools(const QJsonValue& v, const QString& at)
    {
        QHash<QString, ToolPolicy> out;
        const auto o = object(v, at, QStringLiteral("\"tools\""));
        if (!o)
            return out;
        for (auto it = o->begin(); it != o->end(); ++it) {
            const QString toolAt = JsonPointer::append(at, it.key());
            if (it.key().isEmpty())
                keyError(toolAt, QStringLiteral("a tool name must not be empty"));
            out.insert(it.key(), tool(it.value(), toolAt, it.key()));
        }
        return out;
    }

    ToolPolicy tool(const QJsonValue& v, const QString& at, const QString& name)
    {
        ToolPolicy t;
        const auto o = object(v, at, QStringLiteral("the policy of tool \"%1\"").arg(name));
        if (!o)
            return t;
        checkFields(*o, at,
                    {"action", "on_deny", "require", "deny_if", "approve_if", "limits", "reason",
                     "rate_limit", "approval_timeout"});
        if (o->contains(u"action")) {
            // "require_approval" is PolicyLayer's word for "approve".
            const int i = oneOf(o->value(u"action"), ptr(at, "action"), "action",
                                {"allow", "deny", "approve", "require_approval"});
            if (i >= 0)
                t.action = i == 3 ? ToolAction::Approve : static_cast<ToolAction>(i);
        }
        if (o->contains(u"on_deny"))
            t.onDeny = string(*o, at, "on_deny");
        if (o->contains(u"reason")) { // the same message, as Rolli's policy page spells it
            if (o->contains(u"on_deny"))
                error(ptr(at, "reason"), QStringLiteral("give \"on_deny\" or \"reason\", not both"));
            else
                t.onDeny = string(*o, at, "reason");
        }
        if (o->contains(u"rate_limit"))
            t.rateLimit = rateLimit(o->value(u"rate_limit"), ptr(at, "rate_limit"), name);
        if (o->contains(u"approval_timeout"))
            t.approvalTimeoutSeconds = duration(o->value(u"approval_timeout"), ptr(at, "approval_timeout"),
                                                ApprovalSettings::MaxTimeoutSeconds);
        if (o->contains(u"require"))
            t.require = rules(o->value(u"require"), ptr(at, "require"), "require");
        if (o->contains(u"deny_if"))
            t.denyIf = rules(o->value(u"deny_if"), ptr(at, "deny_if"), "deny_if");
        if (o->contains(u"approve_if"))
            t.approveIf = rules(o->value(u"approve_if"), ptr(at, "approve_if"), "approve_if");
        if (o->contains(u"limits"))
            t.limits = limits(o->value(u"limits"), ptr(at, "limits"));
        return t;
    }

    QList<Rule> rules(const QJsonValue& v, const QString& at, const char* field)
    {
        QList<Rule> out;
        const auto a = array(v, at, QStringLiteral("\"%1\"").arg(QLatin1String(field)));
        if (!a)
            return out;
        for (qsizetype i = 0; i < a->size(); ++i)
            out.append(rule(a->at(i), JsonPointer::append(at, i)));
        return out;
    }

    Rule rule(const QJsonValue& v, const QString& at)
    {
        Rule r;
        const auto o = object(v, at, QStringLiteral("a rule"));
        if (!o)
            return r;
        checkFields(*o, at, {"conditions", "on_deny", "name"});
        if (o->contains(u"conditions")) {
            QList<Condition> conditions;
            const QString cAt = ptr(at, "conditions");
            if (const auto a = array(o->value(u"conditions"), cAt, QStringLiteral("\"conditions\""))) {
                for (qsizetype i = 0; i < a->size(); ++i)
                    conditions.append(condition(a->at(i), JsonPointer::append(cAt, i)));
            }
            r.conditions = conditions;
        }
        if (o->contains(u"on_deny"))
            r.onDeny = string(*o, at, "on_deny");
        if (o->contains(u"name"))
            r.name = string(*o, at, "name");
        return r;
    }

    std::optional<ArgumentPath> path(const QJsonValue& v, const QString& pointer, const char* field)
    {
        if (!v.isString()) {
            error(pointer, QStringLiteral("\"%1\" must be a path string such as \"args.amount\", not %2")
                               .arg(QLatin1String(field), typeName(v)));
            return std::nullopt;
        }
        QString why;
        auto p = ArgumentPath::parse(v.toString(), &why);
        if (!p)
            error(pointer, why);
        return p;
    }

    Condition condition(const QJsonValue& v, const QString& at)
    {
        Condition c;
        const auto o = object(v, at, QStringLiteral("a condition"));
        if (!o)
            return c;
        checkFields(*o, at, {"path", "op", "value"});
        if (const auto p = required(*o, at, "path")) {
            if (auto parsed = path(*p, ptr(at, "path"), "path"))
                c.path = *parsed;
        }
        const auto opValue = required(*o, at, "op");
        if (!opValue)
            return c;
        const auto op = opValue->isString() ? conditionOpFromName(opValue->toString()) : std::nullopt;
        if (!op) {
            error(ptr(at, "op"),
                  QStringLiteral(
                      "unknown op %1; one of eq, neq, in, not_in, lt, lte, gt, gte, regex, contains, exists")
                      .arg(opValue->isString() ? QStringLiteral("\"%1\"").arg(opValue->toString())
                                               : typeName(*opValue)));
            return c;
        }
        c.op = *op;
        const QString valueAt = ptr(at, "value");
        const QString opName = conditionOpName(c.op);
        if (!o->contains(u"value")) {
            if (c.op != ConditionOp::Exists)
                error(valueAt, QStringLiteral("op \"%1\" needs a \"value\"").arg(opName));
            return c;
        }
        c.value = o->value(u"value");
        switch (c.op) {
        case ConditionOp::In:
        case ConditionOp::NotIn:
            if (!c.value.isArray())
                error(valueAt, QStringLiteral("op \"%1\" needs an array \"value\", not %2")
                                   .arg(opName, typeName(c.value)));
            break;
        case ConditionOp::Lt:
        case ConditionOp::Lte:
        case ConditionOp::Gt:
        case ConditionOp::Gte:
            if (!c.value.isDouble() && !c.value.isString())
                error(valueAt, QStringLiteral("op \"%1\" compares with a number or a string, not %2")
                                   .arg(opName, typeName(c.value)));
            break;
        case ConditionOp::Regex:
            if (!c.value.isString()) {
                error(valueAt,
                      QStringLiteral("op \"regex\" needs a pattern string, not %1").arg(typeName(c.value)));
                break;
            }
            c.regex.setPattern(c.value.toString());
            if (!c.regex.isValid()) {
                error(valueAt, QStringLiteral("regex does not compile: %1 at offset %2")
                                   .arg(c.regex.errorString())
                                   .arg(c.regex.patternErrorOffset()));
            } else {
                c.regex.optimize();
            }
            break;
        case ConditionOp::Exists:
            if (!c.value.isBool())
                error(valueAt,
                      QStringLiteral("op \"exists\" takes true or false, not %1").arg(typeName(c.value)));
            break;
        default:
            break;
        }
        return c;
    }

    QList<Limit> limits(const QJsonValue& v, const QString& at)
    {
        QList<Limit> out;
        const auto a = array(v, at, QStringLiteral("\"limits\""));
        if (!a)
            return out;
        for (qsizetype i = 0; i < a->size(); ++i)
            out.append(limit(a->at(i), JsonPointer::append(at, i)));
        return out;
    }

    // A limit's "window" and "max", which PolicyLayer's "rate_limit" shares.
    void windowAndMax(const QJsonObject& object, const QString& at, Limit& l)
    {
        const QJsonObject* o = &object;
        if (const auto w = required(*o, at, "window")) {
            const QString wAt = ptr(at, "window");
            if (w->isDouble()) {
                const double d = w->toDouble();
                if (d != std::trunc(d) || d < 1 || d > MaxWindowSeconds)
                    error(wAt,
                          QStringLiteral("a window in seconds must be a whole number from 1 to %1, not %2")
                              .arg(MaxWindowSeconds)
                              .arg(d));
                else
                    l.window = LimitWindow::ofSeconds(qint64(d));
            } else {
                const QString name = w->toString();
                static const QList<std::pair<QString, LimitWindow::Unit>> units{
                    {QStringLiteral("second"), LimitWindow::Unit::Second},
                    {QStringLiteral("minute"), LimitWindow::Unit::Minute},
                    {QStringLiteral("hour"), LimitWindow::Unit::Hour},
                    {QStringLiteral("day"), LimitWindow::Unit::Day},
                };
                bool found = false;
                for (const auto& [n, unit] : units) {
                    if (w->isString() && n == name) {
                        l.window = LimitWindow::named(unit);
                        found = true;
                    }
                }
                if (!found)
                    error(wAt,
                          QStringLiteral("\"window\" must be \"second\", \"minute\", \"hour\", \"day\" or a "
                                         "number of seconds, not %1")
                              .arg(w->isString() ? QStringLiteral("\"%1\"").arg(name) : typeName(*w)));
            }
        }
        if (const auto m = required(*o, at, "max")) {
            const double d = m->toDouble();
            if (!m->isDouble() || d != std::trunc(d) || d < 1 || d > double(MaxExactInteger))
                error(ptr(at, "max"), QStringLiteral("\"max\" must be a whole number greater than 0, not %1")
                                          .arg(m->isDouble() ? QString::number(d) : typeName(*m)));
            else
                l.max = qint64(d);
        }
    }

    // PolicyLayer's {"max": 10, "window": 60} beside a tool: that many calls per session in the window.
    std::optional<Limit> rateLimit(const QJsonValue& v, const QString& at, const QString& tool)
    {
        const auto o = object(v, at, QStringLiteral("\"rate_limit\""));
        if (!o)
            return std::nullopt;
        checkFields(*o, at, {"max", "window"});
        Limit l;
        l.counter = QStringLiteral("rate_limit:") + tool;
        l.scope = LimitScope::Session;
        l.name = QStringLiteral("rate_limit");
        windowAndMax(*o, at, l);
        return l;
    }

    // "30m", "2h", "1d", "45s" or a number of seconds: PolicyLayer's "approval_timeout".
    std::optional<int> duration(const QJsonValue& v, const QString& at, int max)
    {
        static const QRegularExpression form(QStringLiteral("^([0-9]{1,7})([smhd])$"));
        qint64 seconds = -1;
        if (v.isDouble() && v.toDouble() == std::trunc(v.toDouble()) && std::abs(v.toDouble()) < 1e12)
            seconds = qint64(v.toDouble());
        else if (const QRegularExpressionMatch m = form.match(v.toString()); v.isString() && m.hasMatch())
            seconds = m.captured(1).toLongLong() * (m.captured(2) == u"s"   ? 1
                                                    : m.captured(2) == u"m" ? 60
                                                    : m.captured(2) == u"h" ? 3600
                                                                            : 86400);
        if (seconds >= 1 && seconds <= max)
            return int(seconds);
        error(at,
              QStringLiteral("a duration must be like \"30s\", \"30m\", \"2h\" or \"1d\" (or a whole number "
                             "of seconds), from 1 s to %1 s")
                  .arg(max));
        return std::nullopt;
    }

    Limit limit(const QJsonValue& v, const QString& at)
    {
        Limit l;
        const auto o = object(v, at, QStringLiteral("a limit"));
        if (!o)
            return l;
        checkFields(*o, at, {"counter", "window", "max", "scope", "increment_from", "name"});
        if (const auto c = required(*o, at, "counter")) {
            if (!c->isString() || c->toString().isEmpty())
                error(ptr(at, "counter"),
                      QStringLiteral("\"counter\" must be a non-empty string naming the counter"));
            else
                l.counter = c->toString();
        }
        windowAndMax(*o, at, l);
        if (o->contains(u"scope")) {
            const int i =
                oneOf(o->value(u"scope"), ptr(at, "scope"), "scope", {"grant", "session", "global"});
            if (i >= 0)
                l.scope = static_cast<LimitScope>(i);
        }
        if (o->contains(u"increment_from"))
            l.incrementFrom = path(o->value(u"increment_from"), ptr(at, "increment_from"), "increment_from");
        if (o->contains(u"name"))
            l.name = string(*o, at, "name");
        return l;
    }

    const JsonSource& m_src;
};

} // namespace

PolicyLoad PolicyParser::parse(const QByteArray& utf8)
{
    PolicyLoad load;
    const JsonSource source = JsonSource::parse(utf8);
    load.errors = source.diagnostics();
    if (source.hasSyntaxError())
        return load;
    Validator validator(source);
    auto policy = validator.run();
    load.errors += validator.errors;
    std::stable_sort(load.errors.begin(), load.errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    if (load.errors.isEmpty())
        load.policy = std::move(policy);
    return load;
}

PolicyLoad PolicyParser::parseFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        PolicyLoad load;
        load.errors.append(
            {QString(), 0, 0, QStringLiteral("cannot read %1: %2").arg(path, file.errorString())});
        return load;
    }
    return parse(file.readAll());
}

} // namespace gatehouse
