// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientConfigFile.h"

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
    QJsonObject root;
    if (!m_before.trimmed().isEmpty()) {
        QJsonParseError parse{};
        const QJsonDocument doc = QJsonDocument::fromJson(m_before, &parse);
        if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
            *error = QStringLiteral("%1 is not a JSON object (%2 at offset %3); it was left as it is")
                         .arg(m_path, parse.error ? parse.errorString() : QStringLiteral("not an object"))
                         .arg(parse.offset);
            return false;
        }
        root = doc.object();
    }
    const QString key = serversKey(m_client);
    if (root.contains(key) && !root.value(key).isObject()) {
        *error = QStringLiteral("%1: \"%2\" is not an object; it was left as it is").arg(m_path, key);
        return false;
    }
    QJsonObject servers = root.value(key).toObject();
    servers.insert(name, entry);
    root.insert(key, servers);
    m_after = QJsonDocument(root).toJson(QJsonDocument::Indented);
    if (!m_before.isEmpty() && QJsonDocument::fromJson(m_before) == QJsonDocument(root))
        m_after = m_before; // already there, exactly: nothing to write
    return true;
}

QString ClientConfigFile::diff() const
{
    return lineDiff(QString::fromUtf8(m_before), QString::fromUtf8(m_after));
}

bool ClientConfigFile::write(QString* backup, QString* error) const
{
    backup->clear();
    if (QFileInfo::exists(m_path)) {
        *backup = m_path + QStringLiteral(".bak-") +
                  QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        QFile::remove(*backup);
        if (!QFile::copy(m_path, *backup)) {
            *error = QStringLiteral("cannot keep a backup as %1; nothing was written").arg(*backup);
            return false;
        }
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_after) != m_after.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

} // namespace gatehouse
