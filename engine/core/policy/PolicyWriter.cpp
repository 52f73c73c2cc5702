// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyWriter.h"

#include "json/JsonWriter.h"
#include <algorithm>

namespace gatehouse {

namespace {

void writeRules(JsonWriter& w, const QString& field, const std::optional<QList<Rule>>& rules)
{
    if (!rules)
        return;
    w.key(field);
    w.beginArray();
    for (const Rule& r : *rules) {
        w.beginObject();
        if (r.conditions) {
            w.key(QStringLiteral("conditions"));
            w.beginArray();
            for (const Condition& c : *r.conditions) {
                w.beginObject();
                w.member(QStringLiteral("path"), c.path.text());
                w.member(QStringLiteral("op"), conditionOpName(c.op));
                if (!c.value.isUndefined())
                    w.member(QStringLiteral("value"), c.value);
                w.endObject();
            }
            w.endArray();
        }
        if (r.onDeny)
            w.member(QStringLiteral("on_deny"), *r.onDeny);
        if (r.name)
            w.member(QStringLiteral("name"), *r.name);
        w.endObject();
    }
    w.endArray();
}

void writeLimits(JsonWriter& w, const std::optional<QList<Limit>>& limits)
{
    if (!limits)
        return;
    w.key(QStringLiteral("limits"));
    w.beginArray();
    for (const Limit& l : *limits) {
        w.beginObject();
        w.member(QStringLiteral("counter"), l.counter);
        if (l.window.unit == LimitWindow::Unit::Seconds)
            w.member(QStringLiteral("window"), l.window.seconds);
        else
            w.member(QStringLiteral("window"), l.window.describe());
        w.member(QStringLiteral("max"), l.max);
        if (l.scope)
            w.member(QStringLiteral("scope"), limitScopeName(*l.scope));
        if (l.incrementFrom)
            w.member(QStringLiteral("increment_from"), l.incrementFrom->text());
        if (l.name)
            w.member(QStringLiteral("name"), *l.name);
        w.endObject();
    }
    w.endArray();
}

// In the largest unit that says it exactly: 1800 -> "30m".
QString durationText(int seconds)
{
    if (seconds % 86400 == 0)
        return QStringLiteral("%1d").arg(seconds / 86400);
    if (seconds % 3600 == 0)
        return QStringLiteral("%1h").arg(seconds / 3600);
    if (seconds % 60 == 0)
        return QStringLiteral("%1m").arg(seconds / 60);
    return QStringLiteral("%1s").arg(seconds);
}

} // namespace

QByteArray PolicyWriter::toJson(const Policy& p)
{
    JsonWriter w;
    w.beginObject();
    w.member(QStringLiteral("version"), p.version);
    if (p.description)
        w.member(QStringLiteral("description"), *p.description);
    w.member(QStringLiteral("default"), policyDefaultName(p.defaultAction));
    if (p.hide) {
        w.key(QStringLiteral("hide"));
        w.beginArray();
        for (const QString& name : *p.hide)
            w.value(name);
        w.endArray();
    }
    if (p.allTools) {
        w.key(QStringLiteral("all_tools"));
        w.beginObject();
        writeLimits(w, p.allTools->limits);
        w.endObject();
    }
    if (p.approval) {
        w.key(QStringLiteral("approval"));
        w.beginObject();
        if (p.approval->timeoutSeconds)
            w.member(QStringLiteral("timeout_seconds"), *p.approval->timeoutSeconds);
        if (p.approval->onTimeout)
            w.member(QStringLiteral("on_timeout"), timeoutOutcomeName(*p.approval->onTimeout));
        if (p.approval->holdSeconds)
            w.member(QStringLiteral("hold_seconds"), *p.approval->holdSeconds);
        if (p.approval->validSeconds)
            w.member(QStringLiteral("valid_seconds"), *p.approval->validSeconds);
        if (p.approval->withdrawOnCancel)
            w.member(QStringLiteral("on_cancel"),
                     *p.approval->withdrawOnCancel ? QStringLiteral("withdraw") : QStringLiteral("keep"));
        if (p.approval->clientLinks)
            w.member(QStringLiteral("client_links"), *p.approval->clientLinks);
        if (const auto& hook = p.approval->webhook) {
            w.key(QStringLiteral("webhook"));
            w.beginObject();
            w.member(QStringLiteral("url"), hook->url);
            if (hook->secret)
                w.member(QStringLiteral("secret"), *hook->secret);
            if (hook->secretEnv)
                w.member(QStringLiteral("secret_env"), *hook->secretEnv);
            w.endObject();
        }
        w.endObject();
    }
    if (p.tools) {
        w.key(QStringLiteral("tools"));
        w.beginObject();
        QStringList names = p.tools->keys();
        std::sort(names.begin(), names.end());
        for (const QString& name : names) {
            const ToolPolicy& t = p.tools->value(name);
            w.key(name);
            w.beginObject();
            if (t.action)
                w.member(QStringLiteral("action"), toolActionName(*t.action));
            if (t.onDeny)
                w.member(QStringLiteral("on_deny"), *t.onDeny);
            writeRules(w, QStringLiteral("require"), t.require);
            writeRules(w, QStringLiteral("deny_if"), t.denyIf);
            writeRules(w, QStringLiteral("approve_if"), t.approveIf);
            writeLimits(w, t.limits);
            if (t.rateLimit) {
                w.key(QStringLiteral("rate_limit"));
                w.beginObject();
                w.member(QStringLiteral("max"), t.rateLimit->max);
                if (t.rateLimit->window.unit == LimitWindow::Unit::Seconds)
                    w.member(QStringLiteral("window"), t.rateLimit->window.seconds);
                else
                    w.member(QStringLiteral("window"), t.rateLimit->window.describe());
                w.endObject();
            }
            if (t.approvalTimeoutSeconds)
                w.member(QStringLiteral("approval_timeout"), durationText(*t.approvalTimeoutSeconds));
            w.endObject();
        }
        w.endObject();
    }
    w.endObject();
    return w.finish();
}

} // namespace gatehouse
