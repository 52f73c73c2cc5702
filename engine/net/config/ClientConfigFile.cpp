// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientConfigFile.h"

#include "ClientGuard.h"

#include "json/JsonPointer.h"
#include "json/JsoncText.h"
#include "json/LineDiff.h"
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

namespace gatehouse {

std::optional<ClientConfigFile::Client> ClientConfigFile::clientFromName(const QString& name)
{
    if (name == u"claude")
        return Client::ClaudeDesktop;
    if (name == u"cursor")
        return Client::Cursor;
    if (name == u"vscode")
        return Client::VsCode;
    return std::nullopt;
}

QString ClientConfigFile::defaultPath(Client client)
{
    const QString config = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    switch (client) {
    case Client::ClaudeDesktop:
        return config + QStringLiteral("/Claude/claude_desktop_config.json");
    case Client::Cursor:
        return QDir::homePath() + QStringLiteral("/.cursor/mcp.json");
    case Client::VsCode:
        break;
    }
    return config + QStringLiteral("/Code/User/mcp.json");
}

QString ClientConfigFile::serversKey(Client client)
{
    return client == Client::VsCode ? QStringLiteral("servers") : QStringLiteral("mcpServers");
}

QString ClientConfigFile::displayName(Client client)
{
    switch (client) {
    case Client::ClaudeDesktop:
        return QStringLiteral("Claude Desktop");
    case Client::Cursor:
        return QStringLiteral("Cursor");
    case Client::VsCode:
        break;
    }
    return QStringLiteral("VS Code");
}

QJsonObject ClientConfigFile::entryFor(Client client, const QString& url, const QByteArray& bearer,
                                       const QString& bridgeProgram)
{
    if (client == Client::ClaudeDesktop) {
        // The token goes in the bridge's environment, not its arguments: every local user can read a
        // process's arguments, only its owner its environment.
        QJsonObject entry{{QStringLiteral("command"), bridgeProgram},
                          {QStringLiteral("args"), QJsonArray{QStringLiteral("connect"), url}}};
        if (!bearer.isEmpty())
            entry.insert(QStringLiteral("env"),
                         QJsonObject{{QStringLiteral("GATEHOUSE_TOKEN"), QString::fromUtf8(bearer)}});
        return entry;
    }
    QJsonObject entry{{QStringLiteral("url"), url}};
    if (client == Client::VsCode)
        entry.insert(QStringLiteral("type"), QStringLiteral("http"));
    if (!bearer.isEmpty())
        entry.insert(QStringLiteral("headers"),
                     QJsonObject{{QStringLiteral("Authorization"), QString::fromUtf8("Bearer " + bearer)}});
    return entry;
}

QString ClientConfigFile::snippet(Client client, const QString& name, const QJsonObject& entry)
{
    const QJsonObject root{{serversKey(client), QJsonObject{{name, entry}}}};
    return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)).trimmed();
}

ClientConfigFile::ClientConfigFile(Client client, QString path)
    : m_client(client)
    , m_path(std::move(path))
{}

bool ClientConfigFile::merge(const QString& name, const QJsonObject& entry, QString* error)
{
    m_before.clear();
    QFile file(m_path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString());
            return false;
        }
        m_before = file.readAll();
    }
    const QString key = serversKey(m_client);
    if (m_before.trimmed().isEmpty()) {
        const QJsonObject root{{key, QJsonObject{{name, entry}}}};
        m_after = QJsonDocument(root).toJson(QJsonDocument::Indented);
        return true;
    }
    // Edited in place: only this entry changes; the person's layout, order and comments stay.
    const JsoncText doc = JsoncText::parse(m_before);
    if (!doc.isValid() || !doc.value().isObject()) {
        *error = QStringLiteral("%1 is not a JSON object (%2); it was left as it is")
                     .arg(m_path, doc.isValid() ? QStringLiteral("not an object") : doc.error());
        return false;
    }
    const QJsonValue servers = doc.value().toObject().value(key);
    if (!servers.isUndefined() && !servers.isObject()) {
        *error = QStringLiteral("%1: \"%2\" is not an object; it was left as it is").arg(m_path, key);
        return false;
    }
    if (servers.toObject().value(name) == entry) {
        m_after = m_before; // already there, exactly: nothing to write
        return true;
    }
    const std::optional<QByteArray> after =
        doc.setMember(JsonPointer::append(QString(), key), name, entry, error);
    if (!after)
        return false;
    m_after = *after;
    return true;
}

QString ClientConfigFile::diff() const
{
    return lineDiff(QString::fromUtf8(m_before), QString::fromUtf8(m_after));
}

bool ClientConfigFile::write(QString* backup, QString* error) const
{
    return ClientGuard::writeWithBackup(m_path, m_after, backup, error);
}

} // namespace gatehouse
