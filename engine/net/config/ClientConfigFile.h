// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>

namespace gatehouse {

// An MCP client's own configuration file (Claude Desktop, Cursor, VS Code), into which Gatehouse merges
// its entry: every other server and setting stays as it was, the old file is kept as a backup, and the
// new one is written atomically. A file that is not a JSON object is never touched.
class ClientConfigFile
{
public:
    enum class Client
    {
        ClaudeDesktop, // ~/.config/Claude/claude_desktop_config.json, "mcpServers"
        Cursor,        // ~/.cursor/mcp.json, "mcpServers"
        VsCode         // ~/.config/Code/User/mcp.json, "servers"
    };
    static std::optional<Client> clientFromName(const QString& name); // claude, cursor, vscode
    static QString defaultPath(Client client);
    static QString serversKey(Client client);
    static QString displayName(Client client); // "Claude Desktop"

    // Gatehouse's entry for a client: Claude Desktop launches `bridge connect URL --token T` (it speaks
    // stdio only); Cursor and VS Code take the URL and an Authorization header.
    static QJsonObject entryFor(Client client, const QString& url, const QByteArray& bearer,
                                const QString& bridgeProgram);
    // The entry under the servers key as `name`, as a self-contained JSON text to paste.
    static QString snippet(Client client, const QString& name, const QJsonObject& entry);

    ClientConfigFile(Client client, QString path);

    // Reads the file (a missing one is empty) and puts `entry` under the servers key as `name`.
    // False, with the reason, when the file is not a JSON object.
    bool merge(const QString& name, const QJsonObject& entry, QString* error);
    QByteArray before() const { return m_before; }
    QByteArray after() const { return m_after; }
    bool changes() const { return m_before != m_after; }
    QString path() const { return m_path; }
    // Lines removed ("- ") and added ("+ "), in order, with a little context ("  ").
    QString diff() const;
    // Keeps the old file as PATH.bak-YYYYMMDD-HHMMSS (when there was one) and writes the new one.
    bool write(QString* backup, QString* error) const;

private:
    Client m_client;
    QString m_path;
    QByteArray m_before;
    QByteArray m_after;
};

} // namespace gatehouse
