// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalsCommand.h"

#include "AdminAccess.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace gatehouse::cli {

namespace {

struct Answer
{
    int status = 0;
    QJsonObject body;
    QString error;
};

Answer call(const AdminAccess& admin, const QByteArray& method, const QString& path,
            const QJsonObject& body = {})
{
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(admin.url + path));
    request.setRawHeader("Authorization", "Bearer " + admin.token.toUtf8());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(10'000);
    QNetworkReply* reply = method == "GET"
                               ? nam.get(request)
                               : nam.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.body = QJsonDocument::fromJson(reply->readAll()).object();
    if (a.status == 0)
        a.error = reply->errorString();
    else if (a.status != 200)
        a.error = a.body.value(QStringLiteral("error")).toString();
    reply->deleteLater();
    return a;
}

} // namespace

int approvals(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    const QCommandLineOption session(QStringLiteral("session"),
                                     QStringLiteral("Allow for the rest of the session."));
    const QCommandLineOption always(QStringLiteral("always"),
                                    QStringLiteral("Write the decision into the policy."));
    const QCommandLineOption note(QStringLiteral("note"), QStringLiteral("A note for the audit log."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption file(QStringLiteral("admin-file"),
                                  QStringLiteral("A proxy's admin.json; repeat for several proxies."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("This text."));
    parser.addOptions({session, always, note, file, help});
    auto usage = [&err] {
        err << "usage: gatehouse approvals list\n"
               "       gatehouse approvals approve ID [--session | --always] [--note TEXT]\n"
               "       gatehouse approvals deny ID [--always] [--note TEXT]\n"
               "       (each takes --admin-file FILE, repeated for several proxies: the answer goes to\n"
               "        the proxy that holds the call; default: the proxy started last)\n";
        return 2;
    };
    if (!parser.parse(QStringList{QStringLiteral("gatehouse approvals")} + args)) {
        err << "gatehouse approvals: " << parser.errorText() << '\n';
        return 2;
    }
    const QStringList words = parser.positionalArguments();
    if (words.isEmpty() || parser.isSet(help))
        return usage();

    // Every proxy named: each holds its own pending calls, answered only through its own admin API.
    QList<AdminAccess> proxies;
    const QStringList files =
        parser.isSet(file) ? parser.values(file) : QStringList{AdminAccess::defaultFile()};
    for (const QString& f : files) {
        QString problem;
        proxies.append(AdminAccess::read(f, &problem));
        if (!problem.isEmpty()) {
            err << "gatehouse approvals: " << problem << '\n';
            return 1;
        }
    }
    // The pending calls of each proxy, in the order named.
    QList<QJsonArray> pending;
    for (const AdminAccess& admin : proxies) {
        const Answer a = call(admin, "GET", QStringLiteral("/approvals"));
        if (!a.error.isEmpty()) {
            err << "gatehouse approvals: " << admin.url << ": " << a.error << '\n';
            return 1;
        }
        pending.append(a.body.value(QStringLiteral("approvals")).toArray());
    }

    if (words.first() == u"list" && words.size() == 1) {
        bool any = false;
        for (qsizetype p = 0; p < proxies.size(); ++p) {
            for (const QJsonValue& v : pending.at(p)) {
                const QJsonObject r = v.toObject();
                any = true;
                if (proxies.size() > 1)
                    out << proxies.at(p).url << "  ";
                out << r.value(QStringLiteral("id")).toString() << "  "
                    << r.value(QStringLiteral("server")).toString() << "  "
                    << r.value(QStringLiteral("tool")).toString() << "  "
                    << QJsonDocument(r.value(QStringLiteral("arguments")).toObject())
                           .toJson(QJsonDocument::Compact)
                    << "  "
                    << (r.value(QStringLiteral("grant")).toString().isEmpty()
                            ? QString()
                            : QStringLiteral("grant %1  ").arg(r.value(QStringLiteral("grant")).toString()))
                    << (r.value(QStringLiteral("client")).toString().isEmpty()
                            ? QString()
                            : QStringLiteral("from %1  ").arg(r.value(QStringLiteral("client")).toString()))
                    << (r.value(QStringLiteral("held")).toBool()
                            ? QStringLiteral("held by a person")
                            : QStringLiteral("%1 s left").arg(r.value(QStringLiteral("secondsLeft")).toInt()))
                    << (r.value(QStringLiteral("waitingOnTheLine")).toInt() > 0
                            ? QStringLiteral("  agent waiting")
                            : QStringLiteral("  agent not on the line"))
                    << "  (" << r.value(QStringLiteral("rule")).toString() << ")\n";
                if (const QString page = r.value(QStringLiteral("page")).toString(); !page.isEmpty())
                    out << "    page: " << page << '\n';
            }
        }
        if (!any)
            out << "no calls are waiting for approval\n";
        return 0;
    }
    const bool approve = words.first() == u"approve";
    if ((!approve && words.first() != u"deny") || words.size() != 2 ||
        (parser.isSet(session) && (parser.isSet(always) || !approve)))
        return usage();
    const QString id = words.at(1);
    QList<qsizetype> holders;
    for (qsizetype p = 0; p < proxies.size(); ++p)
        for (const QJsonValue& v : pending.at(p))
            if (v.toObject().value(QStringLiteral("id")).toString() == id)
                holders.append(p);
    if (holders.size() > 1) {
        err << "gatehouse approvals: " << id
            << " is pending on several proxies; name one with --admin-file\n";
        return 1;
    }
    // One proxy and the id not (or no longer) pending: its admin API says why (unknown, answered).
    const AdminAccess& holder = proxies.at(holders.isEmpty() ? 0 : holders.first());
    if (holders.isEmpty() && proxies.size() > 1) {
        err << "gatehouse approvals: no proxy holds a call " << id << " (answered, timed out, or mistyped)\n";
        return 1;
    }
    const QString decision =
        approve ? (parser.isSet(session)  ? QStringLiteral("allow-session")
                   : parser.isSet(always) ? QStringLiteral("always-allow")
                                          : QStringLiteral("allow-once"))
                : (parser.isSet(always) ? QStringLiteral("always-deny") : QStringLiteral("deny"));
    const Answer a =
        call(holder, "POST", QStringLiteral("/approvals/") + id,
             {{QStringLiteral("decision"), decision}, {QStringLiteral("note"), parser.value(note)}});
    if (!a.error.isEmpty()) {
        err << "gatehouse approvals: " << a.error << '\n';
        return 1;
    }
    out << id << ": " << decision
        << (proxies.size() > 1 ? QStringLiteral(" (at %1)").arg(holder.url) : QString()) << '\n';
    return 0;
}

} // namespace gatehouse::cli
