// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServersCommand.h"

#include "ClientImport.h"
#include "ServerSetup.h"
#include "config/Config.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QUrl>

namespace gatehouse::cli {

namespace {

int usage(QTextStream& err)
{
    err << "usage: gatehouse servers list\n"
           "       gatehouse servers add NAME [--env K=V]... [--cwd DIR] [--policy FILE] -- COMMAND "
           "[ARGS...]\n"
           "       gatehouse servers add NAME --url URL [--header 'NAME: VALUE']... [--policy FILE]\n"
           "       gatehouse servers remove NAME\n"
           "       gatehouse servers import --from claude|cursor|vscode [--file FILE] [--dry-run] [NAME...]\n"
           "       gatehouse servers unguard NAME\n"
           "       (each takes --config FILE; default: $XDG_CONFIG_HOME/gatehouse/config.json)\n";
    return 2;
}

} // namespace

int servers(const QStringList& args, QTextStream& out, QTextStream& err)
{
    const qsizetype dashes = args.indexOf(QStringLiteral("--"));
    const QStringList command = dashes < 0 ? QStringList() : args.mid(dashes + 1);
    QCommandLineParser parser;
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("The configuration file."),
                                    QStringLiteral("FILE"), Config::defaultPath());
    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("Streamable HTTP URL."),
                                 QStringLiteral("URL"));
    const QCommandLineOption header(QStringLiteral("header"), QStringLiteral("HTTP header."),
                                    QStringLiteral("'K: V'"));
    const QCommandLineOption env(QStringLiteral("env"), QStringLiteral("Environment variable."),
                                 QStringLiteral("K=V"));
    const QCommandLineOption cwd(QStringLiteral("cwd"), QStringLiteral("Working folder."),
                                 QStringLiteral("DIR"));
    const QCommandLineOption policy(QStringLiteral("policy"), QStringLiteral("Policy file."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption from(QStringLiteral("from"), QStringLiteral("claude, cursor or vscode."),
                                  QStringLiteral("CLIENT"));
    const QCommandLineOption file(QStringLiteral("file"), QStringLiteral("The client's configuration file."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"), QStringLiteral("Show, change nothing."));
    parser.addOptions({config, url, header, env, cwd, policy, from, file, dryRun});
    if (!parser.parse(QStringList{QStringLiteral("gatehouse servers")} +
                      (dashes < 0 ? args : args.mid(0, dashes)))) {
        err << "gatehouse servers: " << parser.errorText() << '\n';
        return usage(err);
    }
    const QStringList words = parser.positionalArguments();
    if (words.isEmpty())
        return usage(err);
    const QString verb = words.first();
    const QString path = parser.value(config);
    Diagnostics errors;
    std::optional<Config> cfg = Config::load(path, &errors);
    if (!cfg) {
        err << "gatehouse servers: " << path << " is invalid; it was left as it is:\n";
        for (const Diagnostic& d : errors)
            err << "  " << d.toString() << '\n';
        return 1;
    }
    auto save = [&]() {
        QString why;
        if (!cfg->save(path, &why)) {
            err << "gatehouse servers: cannot write " << path << ": " << why << '\n';
            return false;
        }
        return true;
    };

    if (verb == u"list" && words.size() == 1) {
        if (cfg->servers.isEmpty()) {
            out << "no servers in " << path << " (the app then serves the Rolli sandbox)\n";
            return 0;
        }
        for (auto it = cfg->servers.cbegin(); it != cfg->servers.cend(); ++it) {
            out << it.key() << "  "
                << (it->url.isEmpty() ? QStringLiteral("stdio ") + it->command.join(u' ')
                                      : QStringLiteral("http ") + it->url);
            out << "\n    policy "
                << (it->policy.isEmpty() ? QStringLiteral("none: every call is refused") : it->policy);
            if (!it->policy.isEmpty() && !QFileInfo::exists(it->policy))
                out << " (missing: every call is refused until it exists)";
            const QStringList grants = cfg->grantsOf(it.key());
            if (!grants.isEmpty())
                out << "\n    grants " << grants.join(QStringLiteral(", "));
            const auto guard = clientimport::guardOf(it.key());
            if (guard)
                out << "\n    guarding " << guard->entry << " of " << guard->path;
            out << '\n';
        }
        return 0;
    }

    if (verb == u"add" && words.size() == 2) {
        const QString name = words.at(1);
        if (parser.isSet(url) == !command.isEmpty()) {
            err << "gatehouse servers add: give either --url URL or -- COMMAND [ARGS...]\n";
            return 2;
        }
        ServerConfig s;
        s.command = command;
        s.url = parser.value(url);
        if (!s.url.isEmpty()) {
            const QUrl u(s.url, QUrl::StrictMode);
            if (!u.isValid() || (u.scheme() != u"http" && u.scheme() != u"https") || u.host().isEmpty()) {
                err << "gatehouse servers add: --url must be an http:// or https:// URL with a host\n";
                return 2;
            }
        }
        s.cwd = parser.value(cwd);
        for (const QString& kv : parser.values(env)) {
            const qsizetype eq = kv.indexOf(u'=');
            if (eq <= 0) {
                err << "gatehouse servers add: --env takes NAME=VALUE, not " << kv << '\n';
                return 2;
            }
            s.env.insert(kv.left(eq), kv.mid(eq + 1));
        }
        for (const QString& h : parser.values(header)) {
            const qsizetype c = h.indexOf(u':');
            if (c <= 0) {
                err << "gatehouse servers add: --header takes 'NAME: VALUE', not " << h << '\n';
                return 2;
            }
            s.headers.insert(h.left(c).trimmed(), h.mid(c + 1).trimmed());
        }
        s.policy = parser.isSet(policy) ? QFileInfo(parser.value(policy)).absoluteFilePath()
                                        : Config::defaultPolicyFile(name);
        QString why;
        QStringList moved;
        if (!Config::isValidServerName(name)) {
            err << "gatehouse servers add: " << Config::serverNameRule() << "; \"" << name << "\" is not\n";
            return 2;
        }
        if (cfg->servers.contains(name)) {
            err << "gatehouse servers add: a server named " << name << " exists already in " << path
                << "; remove it first, or choose another name\n";
            return 1;
        }
        if (!serversetup::keepSecrets(name, s, &moved, &why)) {
            err << "gatehouse servers add: " << why << '\n';
            return 1;
        }
        if (!cfg->addServer(name, s, &why)) {
            err << "gatehouse servers add: " << why << '\n';
            return 1;
        }
        if (!save())
            return 1;
        out << "added " << name << " to " << path << '\n';
        for (const QString& m : std::as_const(moved))
            out << "  " << m << '\n';
        serversetup::writeFirstPolicy(name, s, out, err);
        out << "agents reach it at /mcp/" << name << " of the proxy (http://127.0.0.1:8731/mcp/" << name
            << " by default); a running app serves it now, as does gatehouse serve when it serves this "
               "configuration\n";
        return 0;
    }

    if (verb == u"remove" && words.size() == 2) {
        const QString name = words.at(1);
        if (!cfg->servers.contains(name)) {
            err << "gatehouse servers remove: no server named " << name << " in " << path << '\n';
            return 1;
        }
        if (clientimport::guardOf(name)) {
            err << "gatehouse servers remove: " << name
                << " guards a client's entry; gatehouse servers unguard " << name
                << " puts that entry back and removes it\n";
            return 1;
        }
        const QStringList grants = cfg->grantsOf(name);
        const QString policyFile = cfg->servers.value(name).policy;
        cfg->servers.remove(name);
        for (const QString& g : grants)
            cfg->grants.remove(g);
        if (!save())
            return 1;
        out << "removed " << name << " from " << path << '\n';
        if (!grants.isEmpty())
            out << "  and its grants: " << grants.join(QStringLiteral(", ")) << '\n';
        if (!policyFile.isEmpty())
            out << "  its policy file stays: " << policyFile << '\n';
        return 0;
    }

    if (verb == u"import" && words.size() >= 1)
        return clientimport::importCommand(path, parser.value(from), parser.value(file), words.mid(1),
                                           parser.isSet(dryRun), out, err);
    if (verb == u"unguard" && words.size() == 2)
        return clientimport::unguardCommand(path, words.at(1), out, err);
    return usage(err);
}

} // namespace gatehouse::cli
