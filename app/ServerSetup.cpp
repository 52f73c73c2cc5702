// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerSetup.h"

#include "Keychain.h"
#include "ScanCommand.h"
#include "Secrets.h"
#include "policy/StarterPolicy.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace gatehouse::cli::serversetup {

bool prepare(const QString& name, ServerConfig& server, QString* error)
{
    if (server.policy.isEmpty())
        server.policy = Config::defaultPolicyFile(name);
    return resolveSecrets(name, server, error);
}

bool resolveSecrets(const QString& name, ServerConfig& server, QString* error)
{
    QMap<QString, ServerConfig> one{{name, server}};
    QStringList log;
    if (!secrets::resolve(&one, &log, error))
        return false;
    server = one.value(name);
    return true;
}

bool keepSecrets(const QString& name, ServerConfig& server, QStringList* moved, QString* error)
{
    ServerConfig kept = server;
    auto move = [&](QMap<QString, QString>& plain, QMap<QString, QString>& refs) {
        for (auto it = plain.begin(); it != plain.end();) {
            if (!ServerConfig::looksSecret(it.key()) || it.value().isEmpty()) {
                ++it;
                continue;
            }
            static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
            const QString secret =
                (name + u'-' + it.key()).toLower().replace(unsafe, QStringLiteral("-")).left(64);
            if (!keychainWrite(secrets::keychainKey(secret), it.value(), error)) {
                *error =
                    QStringLiteral("%1 of %2 looks like a credential, and the keychain cannot keep it (%3); "
                                   "it was not written anywhere")
                        .arg(it.key(), name, *error);
                return false;
            }
            refs.insert(it.key(), secret);
            moved->append(QStringLiteral("%1 → keychain secret \"%2\"").arg(it.key(), secret));
            it = plain.erase(it);
        }
        return true;
    };
    if (!move(kept.env, kept.secretEnv) || !move(kept.headers, kept.secretHeaders))
        return false;
    server = kept;
    return true;
}

// Lists its tools now and writes its starter policy, so it decides calls from its first one.
void writeFirstPolicy(const QString& name, const ServerConfig& server, QTextStream& out, QTextStream& err)
{
    if (QFileInfo::exists(server.policy)) {
        out << "policy: " << server.policy << " (kept as it is)\n";
        return;
    }
    ServerConfig ready = server;
    QString why;
    std::optional<QJsonArray> tools;
    if (serversetup::prepare(name, ready, &why)) {
        UpstreamServer::Target target;
        if (!ready.url.isEmpty()) {
            HttpTarget e;
            e.url = QUrl(ready.url, QUrl::StrictMode);
            for (auto h = ready.headers.cbegin(); h != ready.headers.cend(); ++h)
                e.headers.append({h.key().toLatin1(), h.value().toUtf8()});
            target = e;
        } else {
            StdioUpstream::Command c;
            c.program = ready.command.first();
            c.arguments = ready.command.mid(1);
            for (auto e = ready.env.cbegin(); e != ready.env.cend(); ++e)
                c.environment.insert(e.key(), e.value());
            c.workingDirectory = ready.cwd;
            target = c;
        }
        tools = listServerTools(target, 20'000, &why);
    }
    const QString source = ready.url.isEmpty() ? ready.command.join(u' ') : ready.url;
    if (tools && writeStarterPolicy(server.policy, *tools, source, &why)) {
        out << "policy: " << server.policy << " (a starter policy from its " << tools->size()
            << " tools; review it in the app or with gatehouse check)\n";
        return;
    }
    err << "gatehouse servers: WARNING: could not list the tools of " << name << " (" << why
        << "); until its policy " << server.policy
        << " exists every call is refused. The app writes a starter policy when it first reaches it.\n";
}

} // namespace gatehouse::cli::serversetup
