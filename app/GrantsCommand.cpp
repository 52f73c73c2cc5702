// SPDX-License-Identifier: GPL-3.0-or-later
#include "GrantsCommand.h"

#include "config/Config.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace gatehouse::cli {

int grants(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("The server the grant may call."), QStringLiteral("NAME")},
        {QStringLiteral("policy"), QStringLiteral("A policy of its own for this grant."),
         QStringLiteral("FILE")},
        {QStringLiteral("config"), QStringLiteral("The configuration file."), QStringLiteral("FILE"),
         Config::defaultPath()},
    });
    auto usage = [&err] {
        err << "usage: gatehouse grants add LABEL --server NAME [--policy FILE]\n"
               "       gatehouse grants list\n"
               "       gatehouse grants revoke LABEL\n"
               "       (each takes --config FILE; default: $XDG_CONFIG_HOME/gatehouse/config.json)\n";
        return 2;
    };
    if (!parser.parse(QStringList{QStringLiteral("gatehouse grants")} + args)) {
        err << "gatehouse grants: " << parser.errorText() << '\n';
        return 2;
    }
    const QStringList words = parser.positionalArguments();
    if (words.isEmpty())
        return usage();
    const QString path = parser.value(QStringLiteral("config"));
    Diagnostics errors;
    std::optional<Config> config = Config::load(path, &errors);
    if (!config) {
        err << "gatehouse grants: " << path << " is invalid:\n";
        for (const Diagnostic& d : errors)
            err << "  " << d.toString() << '\n';
        return 1;
    }
    auto save = [&]() {
        QString why;
        if (!config->save(path, &why)) {
            err << "gatehouse grants: cannot write " << path << ": " << why << '\n';
            return false;
        }
        return true;
    };

    if (words.first() == u"list" && words.size() == 1) {
        if (config->grants.isEmpty()) {
            out << "no grants in " << path << '\n';
            return 0;
        }
        for (auto it = config->grants.cbegin(); it != config->grants.cend(); ++it)
            out << it.key() << "  server " << it->server << "  created " << it->created.toString(Qt::ISODate)
                << (it->policy.isEmpty() ? QString() : QStringLiteral("  policy ") + it->policy) << '\n';
        return 0;
    }
    if (words.first() == u"add" && words.size() == 2) {
        const QString label = words.at(1);
        if (!parser.isSet(QStringLiteral("server")))
            return usage();
        GrantConfig g;
        g.server = parser.value(QStringLiteral("server"));
        if (parser.isSet(QStringLiteral("policy")))
            g.policy = QFileInfo(parser.value(QStringLiteral("policy"))).absoluteFilePath();
        QString why;
        const std::optional<QByteArray> token = config->addGrant(label, g, &why);
        if (!token) {
            err << "gatehouse grants: " << why << '\n';
            return 1;
        }
        if (!save())
            return 1;
        out << "grant " << label << " may call server " << g.server << ". Its token, shown this once:\n"
            << *token << '\n';
        return 0;
    }
    if (words.first() == u"revoke" && words.size() == 2) {
        if (config->grants.remove(words.at(1)) == 0) {
            err << "gatehouse grants: no grant " << words.at(1) << '\n';
            return 1;
        }
        if (!save())
            return 1;
        out << "revoked " << words.at(1) << " (running proxies refuse it from their next request)\n";
        return 0;
    }
    return usage();
}

} // namespace gatehouse::cli
