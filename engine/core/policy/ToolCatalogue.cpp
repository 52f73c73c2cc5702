// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolCatalogue.h"

#include "RiskGuess.h"

#include <QFile>
#include <QJsonDocument>

namespace gatehouse {

std::optional<ToolCatalogue> ToolCatalogue::fromFile(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject() || !doc.object().value(QStringLiteral("tools")).isArray()) {
        *error = QStringLiteral("%1 is not a tool catalogue (%2)")
                     .arg(path,
                          parseError.error ? parseError.errorString() : QStringLiteral("no \"tools\" array"));
        return std::nullopt;
    }
    return fromJson(doc.object());
}

ToolCatalogue ToolCatalogue::fromJson(const QJsonObject& catalogue)
{
    ToolCatalogue c;
    for (const QJsonValue& v : catalogue.value(QStringLiteral("tools")).toArray()) {
        const QJsonObject t = v.toObject();
        ToolInfo info;
        info.name = t.value(QStringLiteral("name")).toString();
        if (info.name.isEmpty())
            continue;
        info.description =
            t.value(QStringLiteral("summary")).toString(t.value(QStringLiteral("description")).toString());
        info.riskClass = t.value(QStringLiteral("category")).toString();
        info.classSource = t.value(QStringLiteral("class_source")).toString();
        info.inputSchema = t.value(QStringLiteral("inputSchema")).toObject();
        c.m_tools.append(info);
    }
    return c;
}

void ToolCatalogue::mergeLive(const QJsonArray& tools)
{
    for (const QJsonValue& v : tools) {
        const QJsonObject t = v.toObject();
        const QString name = t.value(QStringLiteral("name")).toString();
        if (name.isEmpty())
            continue;
        auto it =
            std::find_if(m_tools.begin(), m_tools.end(), [&](const ToolInfo& i) { return i.name == name; });
        if (it == m_tools.end()) {
            const RiskGuess guess = guessRiskClass(t);
            ToolInfo info;
            info.name = name;
            info.riskClass = guess.riskClass;
            info.classSource = QStringLiteral("guessed: ") + guess.reason;
            it = m_tools.insert(m_tools.end(), info);
        }
        it->live = true;
        const QString description = t.value(QStringLiteral("description")).toString();
        if (!description.isEmpty())
            it->description = description;
        it->inputSchema = t.value(QStringLiteral("inputSchema")).toObject();
    }
}

const ToolInfo* ToolCatalogue::find(const QString& name) const
{
    for (const ToolInfo& t : m_tools)
        if (t.name == name)
            return &t;
    return nullptr;
}

ToolPolicy recommendedToolPolicy(const QString& tool, const QString& riskClass)
{
    ToolPolicy tp;
    auto limit = [&tool](int max) {
        Limit l;
        l.counter = tool + QStringLiteral("_rate");
        l.window = LimitWindow::named(LimitWindow::Unit::Minute);
        l.max = max;
        l.scope = LimitScope::Grant;
        return QList<Limit>{l};
    };
    if (riskClass == u"Write")
        tp.limits = limit(30);
    else if (riskClass == u"Execute")
        tp.limits = limit(10);
    else if (riskClass == u"Financial")
        tp.action = ToolAction::Approve;
    return tp;
}

Policy recommendedPolicy(const QList<ToolInfo>& tools)
{
    Policy policy;
    policy.defaultAction = PolicyDefault::Deny;
    policy.tools = QHash<QString, ToolPolicy>();
    QStringList hidden;
    for (const ToolInfo& t : tools) {
        if (t.riskClass == u"Destructive")
            hidden << t.name;
        else
            policy.tools->insert(t.name, recommendedToolPolicy(t.name, t.riskClass));
    }
    if (!hidden.isEmpty())
        policy.hide = hidden;
    return policy;
}

} // namespace gatehouse
