// SPDX-License-Identifier: GPL-3.0-or-later
#include "RolliPreset.h"

#include "Keychain.h"
#include "base/PrivateFiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace gatehouse::cli {

namespace rolli {

ServerConfig sandboxServer(const QString& policy)
{
    ServerConfig s;
    s.command = QStringList{QCoreApplication::applicationFilePath(), QStringLiteral("sandbox")};
    s.policy = policy;
    return s;
}

std::optional<ServerConfig> realServer(const QString& policy, QString* tokenSource, QString* error)
{
    QString token = qEnvironmentVariable("ROLLI_API_TOKEN");
    *tokenSource = QStringLiteral("environment");
    if (token.isEmpty()) {
        QString why;
        const std::optional<QString> stored = keychainRead(TokenKey, &why);
        if (!stored || stored->isEmpty()) {
            *error =
                QStringLiteral("no Rolli API token: set ROLLI_API_TOKEN, or store it in the keychain with "
                               "`gatehouse rolli token set` (%1)")
                    .arg(why);
            return std::nullopt;
        }
        token = *stored;
        *tokenSource = QStringLiteral("keychain");
    }
    ServerConfig s;
    s.command = QStringList{QStringLiteral("npx"), QStringLiteral("-y"), QStringLiteral("@rolli/mcp")};
    s.env.insert(TokenKey, token); // in memory, for the child; Config::save is never called with it
    s.policy = policy;
    return s;
}

QString defaultPolicy(const QString& name, QString* error)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                        QStringLiteral("/gatehouse/policies");
    const QString path = dir + u'/' + name + QStringLiteral(".json");
    if (QFileInfo::exists(path))
        return path;
    // Made private like the rest of the data folder (the audit log would otherwise find it open to others).
    privatefiles::ensureFolder(dir);
    if (!QFileInfo(dir).isDir() || !QFile::copy(QStringLiteral(":/policies/rolli-recommended.json"), path)) {
        *error = QStringLiteral("cannot create %1").arg(path);
        return {};
    }
    // Resources are read-only; the copy is the person's to edit.
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return path;
}

} // namespace rolli

int rolliCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err)
{
    const QString what = args.join(u' ');
    QString error;
    if (what == u"token set") {
        // From stdin, so it is in no shell history and no process list.
        const QString token = in.readLine().trimmed();
        if (token.isEmpty()) {
            err << "gatehouse rolli token set: give the token on standard input\n";
            return 2;
        }
        if (!keychainWrite(rolli::TokenKey, token, &error)) {
            err << "gatehouse rolli token set: " << error << '\n';
            return 1;
        }
        out << "Rolli API token stored in the keychain\n";
        return 0;
    }
    if (what == u"token clear") {
        if (!keychainDelete(rolli::TokenKey, &error)) {
            err << "gatehouse rolli token clear: " << error << '\n';
            return 1;
        }
        out << "Rolli API token removed from the keychain\n";
        return 0;
    }
    if (what == u"token status") {
        QString source;
        if (const auto server = rolli::realServer(QString(), &source, &error)) {
            const QString token = server->env.value(rolli::TokenKey);
            out << "Rolli API token from the " << source << ": " << token.left(4) << "…"
                << " (" << token.size() << " characters)\n";
            return 0;
        }
        err << "gatehouse rolli: " << error << '\n';
        return 1;
    }
    err << "usage: gatehouse rolli token set | clear | status\n";
    return 2;
}

} // namespace gatehouse::cli
