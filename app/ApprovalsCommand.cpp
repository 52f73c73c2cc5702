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
    const QCommandLineOption file(QStringLiteral("admin-file"), QStringLiteral("The proxy's admin.json."),
                                  QStringLiteral("FILE"), AdminAccess::defaultFile());
    parser.addOptions({session, always, note, file});
    auto usage = [&err] {
        err << "usage: gatehouse approvals list\n"
               "       gatehouse approvals approve ID [--session | --always] [--note TEXT]\n"
               "       gatehouse approvals deny ID [--always] [--note TEXT]\n"
               "       (each takes --admin-file FILE; default: the proxy started last)\n";
        return 2;
    };
    if (!parser.parse(QStringList{QStringLiteral("gatehouse approvals")} + args)) {
        err << "gatehouse approvals: " << parser.errorText() << '\n';
        return 2;
    }
    const QStringList words = parser.positionalArguments();
    if (words.isEmpty())
        return usage();
    QString problem;
    const AdminAccess admin = AdminAccess::read(parser.value(file), &problem);
    if (!problem.isEmpty()) {
        err << "gatehouse approvals: " << problem << '\n';
        return 1;
    }

    if (words.first() == u"list" && words.size() == 1) {
        const Answer a = call(admin, "GET", QStringLiteral("/approvals"));
        if (!a.error.isEmpty()) {
            err << "gatehouse approvals: " << a.error << '\n';
            return 1;
        }
        const QJsonArray list = a.body.value(QStringLiteral("approvals")).toArray();
        if (list.isEmpty()) {
            out << "no calls are waiting for approval\n";
            return 0;
        }
        for (const QJsonValue& v : list) {
            const QJsonObject r = v.toObject();
            out << r.value(QStringLiteral("id")).toString() << "  "
                << r.value(QStringLiteral("server")).toString() << "  "
                << r.value(QStringLiteral("tool")).toString() << "  "
                << QJsonDocument(r.value(QStringLiteral("arguments")).toObject())
                       .toJson(QJsonDocument::Compact)
                << "  "
                << (r.value(QStringLiteral("grant")).toString().isEmpty()
                        ? QString()
                        : QStringLiteral("grant %1  ").arg(r.value(QStringLiteral("grant")).toString()))
                << r.value(QStringLiteral("secondsLeft")).toInt() << " s left  ("
                << r.value(QStringLiteral("rule")).toString() << ")\n";
        }
        return 0;
    }
    const bool approve = words.first() == u"approve";
    if ((!approve && words.first() != u"deny") || words.size() != 2 ||
        (parser.isSet(session) && (parser.isSet(always) || !approve)))
        return usage();
    const QString decision =
        approve ? (parser.isSet(session)  ? QStringLiteral("allow-session")
                   : parser.isSet(always) ? QStringLiteral("always-allow")
                                          : QStringLiteral("allow-once"))
                : (parser.isSet(always) ? QStringLiteral("always-deny") : QStringLiteral("deny"));
    const Answer a =
        call(admin, "POST", QStringLiteral("/approvals/") + words.at(1),
             {{QStringLiteral("decision"), decision}, {QStringLiteral("note"), parser.value(note)}});
    if (!a.error.isEmpty()) {
        err << "gatehouse approvals: " << a.error << '\n';
        return 1;
    }
    out << words.at(1) << ": " << decision << '\n';
    return 0;
}

} // namespace gatehouse::cli
