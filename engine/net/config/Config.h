// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "json/Diagnostic.h"
#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>
#include <optional>

namespace gatehouse {

// Gatehouse's configuration file: the upstream servers it fronts and the grants (labelled bearer
// tokens) that may call them. Tokens are never stored, only their SHA-256.
//
//   { "version": "1",
//     "servers": { "rolli": { "command": ["npx", "-y", "@rolli/mcp"], "env": {"K": "V"}, "cwd": "…",
//                             "policy": "rolli.json", "audit_arguments": false },
//                  "other": { "url": "http://127.0.0.1:9000/mcp",
//                             "headers": {"X-Api-Key": {"secret": "other-key"}} } },
//     "grants":  { "alice-laptop": { "server": "rolli", "token_sha256": "…", "policy": "alice.json",
//                                    "created": "2026-11-24T06:00:00Z" } } }
// A header or environment value written as {"secret": "NAME"} is a credential kept out of the file: it
// is looked up when the server starts (see the app's Secrets), never written back in plain text.
struct ServerConfig
{
    QStringList command; // stdio upstream: program and arguments
    QMap<QString, QString> env;
    QMap<QString, QString> secretEnv; // variable → secret name
    QString cwd;
    QString url; // or an HTTP upstream
    QMap<QString, QString> headers;
    QMap<QString, QString> secretHeaders; // header → secret name

    // Header names that usually carry a credential (Authorization, X-Api-Key, Cookie, …).
    static bool looksSecret(const QString& headerOrVariable);
    static bool isValidSecretName(const QString& name);
    QString policy; // policy file; relative paths are relative to the config file
    bool auditArguments = false;
    bool holdNewTools = true; // tool pinning: a new tool of a pinned server waits for a person

    bool operator==(const ServerConfig&) const = default;
};

struct GrantConfig
{
    static bool isValidLabel(const QString& label); // 1 to 64 of A-Z a-z 0-9 . _ @ -

    QString server;
    QString tokenSha256; // hex
    QString policy;      // optional: overrides the server's policy for this grant
    QDateTime created;
};

struct Config
{
    QMap<QString, ServerConfig> servers;
    QMap<QString, GrantConfig> grants;

    // The grant whose token this is, for this server; empty when none. Compares hashes in constant time.
    QString grantFor(const QString& server, const QByteArray& token) const;
    QStringList grantsOf(const QString& server) const;

    // A server's name is part of its URL (/mcp/NAME): 1 to 64 letters, digits, '.', '_' or '-'.
    static bool isValidServerName(const QString& name);
    static QString serverNameRule();
    // Adds (or with replace, replaces) a server, checking the result the way it will be read back.
    bool addServer(const QString& name, const ServerConfig& server, QString* error, bool replace = false);

    // A name for a server given only as a command or URL: the package or folder it is known by
    // (".../server-everything/dist/index.js" -> "server-everything", "npx -y @acme/mcp" -> "mcp"),
    // else the program's or host's name, made safe for a URL.
    static QString suggestedServerName(const QStringList& command, const QString& url);
    // Where the policies Gatehouse writes for servers live: its data folder's policies/NAME.json.
    static QString policyFolder();
    static QString defaultPolicyFile(const QString& server);

    static QString defaultPath();
    static QString hashToken(const QByteArray& token);

    // Reads and validates; a missing file is an empty configuration.
    static std::optional<Config> load(const QString& path, Diagnostics* errors);
    static std::optional<Config> parse(const QByteArray& json, Diagnostics* errors);
    QByteArray toJson() const;
    // Written atomically (QSaveFile) with mode 0600.
    bool save(const QString& path, QString* error) const;

    // Adds `grant` as `label` to this configuration, checking the result the way it will be read back,
    // and returns its new 256-bit token (only the SHA-256 is kept). nullopt with the reason when the
    // label is taken or invalid.
    std::optional<QByteArray> addGrant(const QString& label, GrantConfig grant, QString* error);
    // `base`, or base-2, base-3 … : the first label no grant has.
    QString freeGrantLabel(const QString& base) const;
};

} // namespace gatehouse
