// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Policy.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace gatehouse {

// A tool a server offers, as the policy editor and the call console need it.
struct ToolInfo
{
    QString name;
    QString description;
    QString riskClass;   // Read, Write, Execute, Financial, Destructive
    QString classSource; // where the class comes from: a catalogue, or "guessed: <reason>"
    QJsonObject inputSchema;
    bool live = false; // seen in the running server's tools/list
};

// The tools of one server: from a published catalogue before the server is reached (Rolli's 30 tools),
// then from its live tools/list. A live tool keeps the catalogue's class; an unknown one gets a guess.
class ToolCatalogue
{
public:
    // Reads a catalogue file: {"tools": [{"name", "summary", "category", "class_source", "inputSchema"}]}.
    static std::optional<ToolCatalogue> fromFile(const QString& path, QString* error);
    static ToolCatalogue fromJson(const QJsonObject& catalogue);

    // Merges a tools/list result's "tools" array.
    void mergeLive(const QJsonArray& tools);

    const QList<ToolInfo>& tools() const { return m_tools; }
    const ToolInfo* find(const QString& name) const;
    int size() const { return int(m_tools.size()); }

private:
    QList<ToolInfo> m_tools;
};

// The rule the catalogue recommends per risk class: Read allowed, Write 30/min and Execute 10/min per
// grant, Financial asks a person, Destructive hidden. Default deny for anything else.
ToolPolicy recommendedToolPolicy(const QString& tool, const QString& riskClass);
Policy recommendedPolicy(const QList<ToolInfo>& tools);

} // namespace gatehouse
