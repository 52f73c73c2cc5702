// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientImport.h"

#include "Secrets.h"
#include "ServerSetup.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace gatehouse::cli::clientimport {

namespace {

ClientGuard::Options options(const QString& configPath, bool dryRun)
{
    ClientGuard::Options o;
    o.configPath = configPath;
    const QString listen = qEnvironmentVariable("GATEHOUSE_LISTEN", QStringLiteral("127.0.0.1:8731"));
    o.proxyBaseUrl = QStringLiteral("http://") + listen;
    o.bridgeProgram = QCoreApplication::applicationFilePath();
    o.keepSecrets = &serversetup::keepSecrets;
    o.readSecret = [](const QString& name, QString* error) {
        QString source;
        return secrets::read(name, &source, error);
    };
    o.dryRun = dryRun;
    return o;
}

} // namespace

std::optional<ClientGuard::Record> guardOf(const QString& server)
{
    return ClientGuard::recordOf(server);
}

int importCommand(const QString& configPath, const QString& from, const QString& file,
                  const QStringList& names, bool dryRun, QTextStream& out, QTextStream& err)
{
    const std::optional<ClientConfigFile::Client> client = ClientConfigFile::clientFromName(from);
    if (!client) {
        err << "gatehouse servers import: --from is claude, cursor or vscode\n";
        return 2;
    }
    const QString path = file.isEmpty() ? ClientConfigFile::defaultPath(*client) : file;
    QString why;
    const std::optional<QList<ClientGuard::Entry>> entries = ClientGuard::read(*client, path, &why);
    if (!entries) {
        err << "gatehouse servers import: " << why << '\n';
        return 1;
    }
    if (names.isEmpty()) {
        out << ClientConfigFile::displayName(*client) << " (" << path << ") starts " << entries->size()
            << " server(s):\n";
        for (const ClientGuard::Entry& e : *entries) {
            out << "  " << e.name << "  ";
            if (e.throughGatehouse)
                out << "already through Gatehouse\n";
            else if (!e.server)
                out << "cannot be guarded: " << e.problem << '\n';
            else
                out << (e.server->url.isEmpty() ? e.server->command.join(u' ') : e.server->url) << '\n';
        }
        out << "guard some with: gatehouse servers import --from " << from << " NAME...  (--dry-run shows "
            << "the change first)\n";
        return 0;
    }
    const ClientGuard::Outcome o = ClientGuard::guard(*client, path, names, options(configPath, dryRun));
    if (!o.ok) {
        err << "gatehouse servers import: " << o.error << "; nothing was changed\n";
        return 1;
    }
    out << (dryRun ? "would change " : "changed ") << path << ":\n" << o.diff;
    if (!o.diff.endsWith(u'\n'))
        out << '\n';
    for (const QString& n : o.notes)
        out << n << '\n';
    if (!dryRun) {
        Diagnostics errors;
        const std::optional<Config> cfg = Config::load(configPath, &errors);
        for (const QString& name : names)
            for (const ClientGuard::Record& r : ClientGuard::records())
                if (cfg && r.entry == name && r.path == QFileInfo(path).absoluteFilePath())
                    serversetup::writeFirstPolicy(r.server, cfg->servers.value(r.server), out, err);
    }
    if (!o.backup.isEmpty())
        out << "the old file is kept as " << o.backup << '\n';
    if (!dryRun)
        out << "restart " << ClientConfigFile::displayName(*client)
            << " to use it; gatehouse servers unguard NAME puts an entry back\n";
    return 0;
}

int unguardCommand(const QString& configPath, const QString& server, QTextStream& out, QTextStream& err)
{
    const ClientGuard::Outcome o = ClientGuard::unguard(server, options(configPath, false));
    if (!o.ok) {
        err << "gatehouse servers unguard: " << o.error << '\n';
        return 1;
    }
    out << o.diff;
    if (!o.diff.endsWith(u'\n'))
        out << '\n';
    for (const QString& n : o.notes)
        out << n << '\n';
    return 0;
}

} // namespace gatehouse::cli::clientimport
