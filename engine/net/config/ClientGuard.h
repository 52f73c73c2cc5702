// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ClientConfigFile.h"
#include "Config.h"

#include <QDateTime>
#include <QList>
#include <functional>
#include <optional>

namespace gatehouse {

// "Guard what you already use": a server an MCP client (Claude Desktop, Cursor, VS Code) starts itself
// is added to Gatehouse with the same command, environment and headers, and the client's entry is
// pointed at Gatehouse instead, with a grant of its own. The client's file is edited in place (JsoncText):
// only that entry's value changes; indentation, key order and comments stay. Unguard puts the original
// value back byte for byte, if the entry is still the one Gatehouse wrote.
//
// What was replaced is kept in the data folder's guards.json (private, and without the credentials,
// which are in the keychain), the one owner of that file.
class ClientGuard
{
public:
    struct Entry
    {
        QString name;
        std::optional<ServerConfig> server; // nullopt when Gatehouse cannot run it (then `problem`)
        QString problem;
        bool throughGatehouse = false; // already points at a Gatehouse
    };
    struct Record
    {
        QString server; // in Gatehouse's configuration
        ClientConfigFile::Client client = ClientConfigFile::Client::ClaudeDesktop;
        QString path;  // the client's file
        QString entry; // the entry's name there
        QString grant;
        // The entry's value as the person wrote it, with each credential moved to the keychain replaced
        // by "{{gatehouse-secret:NAME}}": this file never holds one in plain text.
        QByteArray original;
        QStringList secrets; // the names in `original`
        QByteArray guarded;  // the value Gatehouse put in its place
        QDateTime when;
    };
    // Moves credentials into the keychain (see the app's ServerSetup); may be empty.
    using KeepSecrets =
        std::function<bool(const QString& server, ServerConfig& config, QStringList* moved, QString* error)>;
    struct Options
    {
        QString configPath;    // Gatehouse's configuration
        QString proxyBaseUrl;  // http://127.0.0.1:8731
        QString bridgeProgram; // this program, for clients that only start commands
        KeepSecrets keepSecrets;
        // Reads a secret back (environment or keychain), to put a guarded entry back as it was.
        std::function<std::optional<QString>(const QString& name, QString* error)> readSecret;
        bool dryRun = false;
    };
    struct Outcome
    {
        bool ok = false;
        QString error;
        QByteArray before, after; // the client's file
        QString diff;             // lineDiff of the two
        QString backup;           // where the old client file was kept
        QStringList notes;        // what was done, for the person
    };

    static QString recordsPath();
    static QList<Record> records(QString* error = nullptr);
    static std::optional<Record> recordOf(const QString& server);

    // The servers a client's file lists. nullopt, with the reason, when it cannot be read as JSON (with
    // comments); it is then never written.
    static std::optional<QList<Entry>> read(ClientConfigFile::Client client, const QString& path,
                                            QString* error);
    static std::optional<ServerConfig> serverFrom(ClientConfigFile::Client client, const QJsonObject& entry,
                                                  QString* why);

    // Guards these entries of the client's file (all or nothing).
    static Outcome guard(ClientConfigFile::Client client, const QString& path, const QStringList& entries,
                         const Options& options);
    // Puts the client's entry of a guarded server back and removes the server and its grant.
    static Outcome unguard(const QString& server, const Options& options);

    // Atomic, keeping the old file as PATH.bak-YYYYMMDD-HHMMSS.
    static bool writeWithBackup(const QString& path, const QByteArray& text, QString* backup, QString* error);
};

} // namespace gatehouse
