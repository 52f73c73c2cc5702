// SPDX-License-Identifier: GPL-3.0-or-later
#include "PinsCommand.h"

#include "pins/ToolPins.h"

#include "json/LineDiff.h"
#include <QCommandLineParser>
#include <QJsonDocument>

namespace gatehouse::cli {

namespace {
QString pretty(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}
} // namespace

int pins(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    const QCommandLineOption file(QStringLiteral("pins"), QStringLiteral("The pins file."),
                                  QStringLiteral("FILE"), ToolPins::defaultPath());
    const QCommandLineOption all(QStringLiteral("all"), QStringLiteral("Every held tool of the server."));
    parser.addOptions({file, all});
    auto usage = [&err] {
        err << "usage: gatehouse pins list [SERVER]\n"
               "       gatehouse pins show SERVER TOOL\n"
               "       gatehouse pins accept SERVER (TOOL | --all)\n"
               "       gatehouse pins forget SERVER\n"
               "       (each takes --pins FILE; default: $XDG_DATA_HOME/gatehouse/pins.json)\n";
        return 2;
    };
    if (!parser.parse(QStringList{QStringLiteral("gatehouse pins")} + args))
        return usage();
    const QStringList words = parser.positionalArguments();
    const QString verb = words.value(0);
    ToolPins store(parser.value(file));
    QString error;
    if (!store.load(&error)) {
        err << "gatehouse pins: " << error << '\n';
        return 1;
    }

    if (verb == u"list" && words.size() <= 2) {
        const QString server = words.value(1);
        const QList<ToolPins::Review> held = store.reviews(server);
        if (!server.isEmpty() && !store.isPinned(server)) {
            out << "no pins for " << server << " yet: its tools are pinned when a proxy first lists them\n";
            return 0;
        }
        // Each server pinned, by its identity: one label (an ad-hoc `serve -- CMD` is "default") can
        // stand for several servers, each pinned apart.
        for (const QString& label : store.labels())
            if (server.isEmpty() || label == server)
                for (const auto& [identity, count] : store.identities(label))
                    out << label << "  " << count << " tools pinned  "
                        << (identity.isEmpty() ? QStringLiteral("(identity not recorded)") : identity)
                        << '\n';
        if (held.isEmpty()) {
            out << "no tools are held for review\n";
            return 0;
        }
        out << "\nheld for review:\n";
        for (const ToolPins::Review& r : held) {
            out << r.server << "  " << r.tool << "  " << (r.isNew() ? "new" : "changed") << "  seen "
                << r.seenAt.toString(Qt::ISODate) << "  of " << r.identity;
            if (!r.flags.isEmpty()) {
                QStringList reasons;
                for (const DescriptionFlag& f : r.flags)
                    if (!reasons.contains(f.reason))
                        reasons << f.reason;
                out << "  SUSPICIOUS: " << reasons.join(QStringLiteral("; "));
            }
            out << '\n';
        }
        return 0;
    }
    if (verb == u"show" && words.size() == 3) {
        for (const ToolPins::Review& r : store.reviews(words.at(1))) {
            if (r.tool != words.at(2))
                continue;
            out << r.server << " / " << r.tool << ": "
                << (r.isNew() ? "a new tool" : "changed since it was pinned") << " (sha256 " << r.seenSha256
                << ")\n\n"
                << lineDiff(r.isNew() ? QString() : pretty(r.pinned), pretty(r.seen)) << '\n';
            for (const DescriptionFlag& f : r.flags)
                out << "\nSUSPICIOUS " << f.where << ": " << f.reason << "\n    " << f.excerpt << '\n';
            out << "\naccept with: gatehouse pins accept " << r.server << ' ' << r.tool << '\n';
            return 0;
        }
        err << "gatehouse pins: " << words.at(2) << " of " << words.at(1) << " is not held for review\n";
        return 1;
    }
    if (verb == u"accept" && (words.size() == 3) != parser.isSet(all) && words.size() >= 2) {
        QStringList tools;
        if (parser.isSet(all)) {
            for (const ToolPins::Review& r : store.reviews(words.at(1)))
                tools << r.tool;
            if (tools.isEmpty()) {
                out << "nothing of " << words.at(1) << " is held for review\n";
                return 0;
            }
        } else {
            tools << words.at(2);
        }
        for (const QString& tool : std::as_const(tools)) {
            if (!store.accept(words.at(1), tool, &error)) {
                err << "gatehouse pins: " << error << '\n';
                return 1;
            }
            out << "accepted " << words.at(1) << " / " << tool << " as it is now\n";
        }
        return 0;
    }
    if (verb == u"forget" && words.size() == 2) {
        if (!store.forget(words.at(1), &error)) {
            err << "gatehouse pins: " << error << '\n';
            return 1;
        }
        out << "forgot the pins of " << words.at(1) << "; its next listing is pinned as first seen\n";
        return 0;
    }
    return usage();
}

} // namespace gatehouse::cli
