// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientGuard.h"

#include "base/PrivateFiles.h"

#include "json/JsonPointer.h"
#include "json/JsoncText.h"
#include "json/LineDiff.h"
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>

namespace gatehouse {

namespace {

QString clientKey(ClientConfigFile::Client client)
{
    switch (client) {
    case ClientConfigFile::Client::ClaudeDesktop:
        return QStringLiteral("claude");
    case ClientConfigFile::Client::Cursor:
        return QStringLiteral("cursor");
    case ClientConfigFile::Client::VsCode:
        break;
    }
    return QStringLiteral("vscode");
}

std::optional<QByteArray> readFile(const QString& path, QString* error)
{
    QFile f(path);
    if (!f.exists()) {
        *error = QStringLiteral("%1 does not exist").arg(path);
        return std::nullopt;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    return f.readAll();
}

bool saveRecords(const QList<ClientGuard::Record>& records, QString* error)
{
    QJsonArray list;
    for (const ClientGuard::Record& r : records)
        list.append(QJsonObject{{QStringLiteral("server"), r.server},
                                {QStringLiteral("client"), clientKey(r.client)},
                                {QStringLiteral("path"), r.path},
                                {QStringLiteral("entry"), r.entry},
                                {QStringLiteral("grant"), r.grant},
                                {QStringLiteral("original"), QString::fromUtf8(r.original)},
                                {QStringLiteral("secrets"), QJsonArray::fromStringList(r.secrets)},
                                {QStringLiteral("guarded"), QString::fromUtf8(r.guarded)},
                                {QStringLiteral("when"), r.when.toUTC().toString(Qt::ISODate)}});
    const QString path = ClientGuard::recordsPath();
    privatefiles::ensureFolder(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("guards"), list}}).toJson();
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

QByteArray placeholder(const QString& secret)
{
    return "\"{{gatehouse-secret:" + secret.toUtf8() + "}}\"";
}

QByteArray jsonString(const QString& value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// The entry's text with the values of these members ("/env/KEY" → secret name) replaced by placeholders.
QByteArray withoutSecrets(const QByteArray& entryText, const QMap<QString, QString>& secretAt)
{
    const JsoncText entry = JsoncText::parse(entryText);
    QList<QPair<JsoncText::Span, QString>> spans;
    for (auto it = secretAt.cbegin(); it != secretAt.cend(); ++it)
        if (const auto span = entry.valueSpan(it.key()))
            spans.append({*span, it.value()});
    std::sort(spans.begin(), spans.end(),
              [](const auto& a, const auto& b) { return a.first.begin > b.first.begin; });
    QByteArray out = entryText;
    for (const auto& [span, secret] : spans)
        out.replace(span.begin, span.end - span.begin, placeholder(secret));
    return out;
}

QString safeName(const QString& entry)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
    QString name = QString(entry).replace(unsafe, QStringLiteral("-")).left(64);
    return Config::isValidServerName(name) ? name : QStringLiteral("server");
}

} // namespace

QString ClientGuard::recordsPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/gatehouse/guards.json");
}

QList<ClientGuard::Record> ClientGuard::records(QString* error)
{
    QList<Record> out;
    QFile f(recordsPath());
    if (!f.exists())
        return out;
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = f.errorString();
        return out;
    }
    for (const QJsonValue& v : QJsonDocument::fromJson(f.readAll()).object().value(u"guards").toArray()) {
        const QJsonObject o = v.toObject();
        Record r;
        r.server = o.value(u"server").toString();
        r.client = ClientConfigFile::clientFromName(o.value(u"client").toString())
                       .value_or(ClientConfigFile::Client::ClaudeDesktop);
        r.path = o.value(u"path").toString();
        r.entry = o.value(u"entry").toString();
        r.grant = o.value(u"grant").toString();
        r.original = o.value(u"original").toString().toUtf8();
        for (const QJsonValue& name : o.value(u"secrets").toArray())
            r.secrets << name.toString();
        r.guarded = o.value(u"guarded").toString().toUtf8();
        r.when = QDateTime::fromString(o.value(u"when").toString(), Qt::ISODate);
        if (!r.server.isEmpty())
            out << r;
    }
    return out;
}

std::optional<ClientGuard::Record> ClientGuard::recordOf(const QString& server)
{
    for (const Record& r : records())
        if (r.server == server)
            return r;
    return std::nullopt;
}

std::optional<ServerConfig> ClientGuard::serverFrom(ClientConfigFile::Client client, const QJsonObject& entry,
                                                    QString* why)
{
    ServerConfig s;
    const QString type = entry.value(u"type").toString();
    auto strings = [why](const QJsonValue& v, const char* what, QMap<QString, QString>* into) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!it.value().isString()) {
                *why = QStringLiteral("its %1 %2 is not a string").arg(QLatin1String(what), it.key());
                return false;
            }
            into->insert(it.key(), it.value().toString());
        }
        return true;
    };
    if (entry.contains(u"command")) {
        if (!entry.value(u"command").isString() || entry.value(u"command").toString().isEmpty()) {
            *why = QStringLiteral("its \"command\" is not a program name");
            return std::nullopt;
        }
        s.command << entry.value(u"command").toString();
        for (const QJsonValue& a : entry.value(u"args").toArray())
            s.command << a.toString();
        if (!strings(entry.value(u"env"), "variable", &s.env))
            return std::nullopt;
        s.cwd = entry.value(u"cwd").toString();
    } else if (entry.contains(u"url") || entry.contains(u"serverUrl")) {
        s.url = entry.value(entry.contains(u"url") ? u"url" : u"serverUrl").toString();
        if (!strings(entry.value(u"headers"), "header", &s.headers))
            return std::nullopt;
        if (type == u"sse")
            ; // Gatehouse finds out which HTTP transport the server speaks by itself
    } else {
        *why = QStringLiteral("it has neither a \"command\" nor a \"url\"");
        return std::nullopt;
    }
    if (entry.contains(u"envFile")) {
        *why = QStringLiteral("it reads its variables from an envFile, which only %1 loads")
                   .arg(ClientConfigFile::displayName(client));
        return std::nullopt;
    }
    const QString all = QString::fromUtf8(QJsonDocument(entry).toJson(QJsonDocument::Compact));
    if (all.contains(QLatin1String("${"))) {
        *why = QStringLiteral("it uses ${…} variables, which only %1 can fill in")
                   .arg(ClientConfigFile::displayName(client));
        return std::nullopt;
    }
    return s;
}

std::optional<QList<ClientGuard::Entry>> ClientGuard::read(ClientConfigFile::Client client,
                                                           const QString& path, QString* error)
{
    const std::optional<QByteArray> text = readFile(path, error);
    if (!text)
        return std::nullopt;
    const JsoncText doc = JsoncText::parse(*text);
    if (!doc.isValid()) {
        *error = QStringLiteral("%1 is not valid JSON (%2); it is left as it is").arg(path, doc.error());
        return std::nullopt;
    }
    const QJsonObject servers = doc.value().toObject().value(ClientConfigFile::serversKey(client)).toObject();
    QList<Entry> out;
    for (auto it = servers.begin(); it != servers.end(); ++it) {
        Entry e;
        e.name = it.key();
        const QJsonObject entry = it.value().toObject();
        const QString program = QFileInfo(entry.value(u"command").toString()).fileName();
        const QUrl url(entry.value(u"url").toString());
        e.throughGatehouse = (program.startsWith(QLatin1String("gatehouse")) &&
                              entry.value(u"args").toArray().first().toString() == u"connect") ||
                             (url.isValid() && url.path().startsWith(QLatin1String("/mcp")) &&
                              (url.host() == u"127.0.0.1" || url.host() == u"localhost") &&
                              entry.value(u"headers")
                                  .toObject()
                                  .value(u"Authorization")
                                  .toString()
                                  .startsWith(QLatin1String("Bearer ")) &&
                              url.port() == 8731);
        e.server = serverFrom(client, entry, &e.problem);
        out << e;
    }
    return out;
}

bool ClientGuard::writeWithBackup(const QString& path, const QByteArray& text, QString* backup,
                                  QString* error)
{
    backup->clear();
    if (QFileInfo::exists(path)) {
        *backup = path + QStringLiteral(".bak-") +
                  QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        QFile::remove(*backup);
        if (!QFile::copy(path, *backup)) {
            *error = QStringLiteral("cannot keep a backup as %1; nothing was written").arg(*backup);
            return false;
        }
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

ClientGuard::Outcome ClientGuard::guard(ClientConfigFile::Client client, const QString& path,
                                        const QStringList& entries, const Options& options)
{
    Outcome out;
    const std::optional<QByteArray> text = readFile(path, &out.error);
    if (!text)
        return out;
    out.before = *text;
    Diagnostics errors;
    std::optional<Config> cfg = Config::load(options.configPath, &errors);
    if (!cfg) {
        out.error = QStringLiteral("%1 is invalid: %2").arg(options.configPath, errors.value(0).toString());
        return out;
    }
    const Config oldConfig = *cfg;
    const QString serversAt = JsonPointer::append(QString(), ClientConfigFile::serversKey(client));
    QByteArray current = *text;
    QList<Record> added;
    for (const QString& entryName : entries) {
        const JsoncText doc = JsoncText::parse(current);
        if (!doc.isValid()) {
            out.error =
                QStringLiteral("%1 is not valid JSON (%2); it is left as it is").arg(path, doc.error());
            return out;
        }
        const QJsonValue value =
            doc.value().toObject().value(ClientConfigFile::serversKey(client)).toObject().value(entryName);
        if (!value.isObject()) {
            out.error = QStringLiteral("%1 has no server %2").arg(path, entryName);
            return out;
        }
        QString why;
        std::optional<ServerConfig> server = serverFrom(client, value.toObject(), &why);
        if (!server) {
            out.error = QStringLiteral("%1 cannot be guarded: %2").arg(entryName, why);
            return out;
        }
        const QString name = safeName(entryName);
        if (cfg->servers.contains(name)) {
            out.error = QStringLiteral("Gatehouse has a server named %1 already; remove or rename it first")
                            .arg(name);
            return out;
        }
        QStringList moved;
        if (!options.dryRun && options.keepSecrets && !options.keepSecrets(name, *server, &moved, &why)) {
            out.error = why;
            return out;
        }
        for (const QString& m : std::as_const(moved))
            out.notes << QStringLiteral("%1: %2").arg(name, m);
        server->policy = Config::defaultPolicyFile(name);
        if (!cfg->addServer(name, *server, &why)) {
            out.error = why;
            return out;
        }
        GrantConfig grant;
        grant.server = name;
        const QString label = cfg->freeGrantLabel(clientKey(client) + u'-' + name);
        const std::optional<QByteArray> token = cfg->addGrant(label, grant, &why);
        if (!token) {
            out.error = why;
            return out;
        }
        const QString url = options.proxyBaseUrl + QStringLiteral("/mcp/") + name;
        const QJsonObject entry = ClientConfigFile::entryFor(
            client, url, options.dryRun ? QByteArray("<a new grant's token>") : *token,
            options.bridgeProgram);
        const std::optional<QByteArray> next = doc.setMember(serversAt, entryName, entry, &why);
        if (!next) {
            out.error = why;
            return out;
        }
        Record r;
        r.server = name;
        r.client = client;
        r.path = QFileInfo(path).absoluteFilePath();
        r.entry = entryName;
        r.grant = label;
        // Credentials moved to the keychain stay out of the record too.
        QMap<QString, QString> secretAt;
        for (auto it = server->secretEnv.cbegin(); it != server->secretEnv.cend(); ++it)
            secretAt.insert(JsonPointer::append(QStringLiteral("/env"), it.key()), it.value());
        for (auto it = server->secretHeaders.cbegin(); it != server->secretHeaders.cend(); ++it)
            secretAt.insert(JsonPointer::append(QStringLiteral("/headers"), it.key()), it.value());
        r.original = withoutSecrets(doc.valueText(JsonPointer::append(serversAt, entryName)), secretAt);
        r.secrets = secretAt.values();
        r.guarded = JsoncText::parse(*next).valueText(JsonPointer::append(serversAt, entryName));
        r.when = QDateTime::currentDateTimeUtc();
        added << r;
        current = *next;
        out.notes << QStringLiteral("%1 now reaches %2 through Gatehouse at %3 (grant %4)")
                         .arg(ClientConfigFile::displayName(client), entryName, url, label);
    }
    out.after = current;
    out.diff = lineDiff(QString::fromUtf8(out.before), QString::fromUtf8(out.after));
    if (options.dryRun) {
        out.ok = true;
        return out;
    }
    QString why;
    if (!cfg->save(options.configPath, &why)) {
        out.error = QStringLiteral("cannot write %1: %2").arg(options.configPath, why);
        return out;
    }
    if (!writeWithBackup(path, out.after, &out.backup, &why)) {
        oldConfig.save(options.configPath, &why); // as it was: nothing half done
        out.error = why;
        return out;
    }
    QList<Record> all = records();
    all += added;
    if (!saveRecords(all, &why)) {
        out.error = why;
        return out;
    }
    out.ok = true;
    return out;
}

ClientGuard::Outcome ClientGuard::unguard(const QString& server, const Options& options)
{
    Outcome out;
    const std::optional<Record> record = recordOf(server);
    if (!record) {
        out.error = QStringLiteral("%1 guards no client's entry").arg(server);
        return out;
    }
    const std::optional<QByteArray> text = readFile(record->path, &out.error);
    if (!text)
        return out;
    out.before = *text;
    const JsoncText doc = JsoncText::parse(*text);
    const QString at = JsonPointer::append(
        JsonPointer::append(QString(), ClientConfigFile::serversKey(record->client)), record->entry);
    if (!doc.isValid() || !doc.valueSpan(at) || doc.valueText(at) != record->guarded) {
        out.error =
            QStringLiteral("the entry %1 in %2 is not the one Gatehouse wrote any more; it was left as "
                           "it is (the backup made when it was guarded is beside it)")
                .arg(record->entry, record->path);
        return out;
    }
    QString why;
    QByteArray original = record->original;
    for (const QString& secret : record->secrets) {
        const std::optional<QString> value =
            options.readSecret ? options.readSecret(secret, &why) : std::nullopt;
        if (!value) {
            out.error = QStringLiteral(
                            "the entry's credential %1 cannot be read back (%2); the file was left as it is")
                            .arg(secret, why);
            return out;
        }
        original.replace(placeholder(secret), jsonString(*value));
    }
    const std::optional<QByteArray> restored = doc.replaceValue(at, original, &why);
    if (!restored) {
        out.error = why;
        return out;
    }
    out.after = *restored;
    out.diff = lineDiff(QString::fromUtf8(out.before), QString::fromUtf8(out.after));
    if (options.dryRun) {
        out.ok = true;
        return out;
    }
    Diagnostics errors;
    std::optional<Config> cfg = Config::load(options.configPath, &errors);
    if (!cfg) {
        out.error = QStringLiteral("%1 is invalid: %2").arg(options.configPath, errors.value(0).toString());
        return out;
    }
    if (!writeWithBackup(record->path, out.after, &out.backup, &why)) {
        out.error = why;
        return out;
    }
    cfg->servers.remove(server);
    cfg->grants.remove(record->grant);
    if (!cfg->save(options.configPath, &why)) {
        out.error = QStringLiteral("the entry was put back, but %1 could not be written: %2")
                        .arg(options.configPath, why);
        return out;
    }
    QList<Record> all = records();
    all.erase(std::remove_if(all.begin(), all.end(), [&](const Record& r) { return r.server == server; }),
              all.end());
    saveRecords(all, &why);
    out.notes << QStringLiteral("%1 starts %2 itself again; Gatehouse no longer serves %3")
                     .arg(ClientConfigFile::displayName(record->client), record->entry, server);
    out.ok = true;
    return out;
}

} // namespace gatehouse
