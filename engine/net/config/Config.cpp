// SPDX-License-Identifier: GPL-3.0-or-later
#include "Config.h"

#include "base/PrivateFiles.h"
#include "http/BearerToken.h"

#include "json/JsonPointer.h"
#include "json/JsonSource.h"
#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>

namespace gatehouse {

namespace {

class ConfigReader
{
public:
    explicit ConfigReader(const JsonSource& src, Diagnostics* errors)
        : m_src(src)
        , m_errors(errors)
    {}

    std::optional<Config> run()
    {
        Config c;
        if (!m_src.root().isObject()) {
            error({}, QStringLiteral("the configuration is a JSON object"));
            return std::nullopt;
        }
        const QJsonObject o = m_src.root().toObject();
        fields(o, {}, {QStringLiteral("version"), QStringLiteral("servers"), QStringLiteral("grants")});
        if (o.value(u"version") != QStringLiteral("1"))
            error(QStringLiteral("/version"), QStringLiteral("\"version\" must be \"1\""));
        const QJsonObject servers = object(o, {}, QStringLiteral("servers"));
        for (auto it = servers.begin(); it != servers.end(); ++it)
            c.servers.insert(
                it.key(),
                server(it.value(), JsonPointer::append(QStringLiteral("/servers"), it.key()), it.key()));
        const QJsonObject grants = object(o, {}, QStringLiteral("grants"));
        for (auto it = grants.begin(); it != grants.end(); ++it)
            c.grants.insert(
                it.key(),
                grant(it.value(), JsonPointer::append(QStringLiteral("/grants"), it.key()), it.key()));
        if (!m_errors->isEmpty())
            return std::nullopt;
        return c;
    }

private:
    void error(const QString& pointer, const QString& message)
    {
        m_errors->append(m_src.at(pointer, message));
    }

    void fields(const QJsonObject& o, const QString& at, const QStringList& allowed)
    {
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!allowed.contains(it.key()))
                m_errors->append(m_src.atKey(JsonPointer::append(at, it.key()),
                                             QStringLiteral("unknown field \"%1\"; expected one of %2")
                                                 .arg(it.key(), allowed.join(QStringLiteral(", ")))));
    }

    QJsonObject object(const QJsonObject& parent, const QString& at, const QString& key)
    {
        const QJsonValue v = parent.value(key);
        if (v.isUndefined())
            return {};
        if (!v.isObject())
            error(JsonPointer::append(at, key), QStringLiteral("\"%1\" must be an object").arg(key));
        return v.toObject();
    }

    QString string(const QJsonObject& o, const QString& at, const QString& key, bool required = false)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                error(JsonPointer::append(at, key), QStringLiteral("\"%1\" is required").arg(key));
            return {};
        }
        if (!v.isString())
            error(JsonPointer::append(at, key), QStringLiteral("\"%1\" must be a string").arg(key));
        return v.toString();
    }

    // A map whose values are strings or {"secret": "NAME"}; the secret references go to *secrets.
    QMap<QString, QString> valueMap(const QJsonObject& o, const QString& at, const QString& key,
                                    QMap<QString, QString>* secrets)
    {
        QMap<QString, QString> out;
        const QJsonObject m = object(o, at, key);
        for (auto it = m.begin(); it != m.end(); ++it) {
            const QString where = JsonPointer::append(JsonPointer::append(at, key), it.key());
            if (it.value().isString()) {
                out.insert(it.key(), it.value().toString());
                continue;
            }
            const QJsonObject ref = it.value().toObject();
            const QString name = ref.value(u"secret").toString();
            if (!it.value().isObject() || ref.size() != 1 || !ServerConfig::isValidSecretName(name)) {
                error(where, QStringLiteral("values are strings or {\"secret\": \"NAME\"} (a name of 1 to 64 "
                                            "letters, digits, '.', '_' or '-')"));
                continue;
            }
            secrets->insert(it.key(), name);
        }
        return out;
    }

    ServerConfig server(const QJsonValue& v, const QString& at, const QString& name)
    {
        ServerConfig s;
        if (!Config::isValidServerName(name))
            m_errors->append(m_src.atKey(at, Config::serverNameRule()));
        if (!v.isObject()) {
            error(at, QStringLiteral("a server is an object"));
            return s;
        }
        const QJsonObject o = v.toObject();
        fields(o, at,
               {QStringLiteral("command"), QStringLiteral("env"), QStringLiteral("cwd"),
                QStringLiteral("url"), QStringLiteral("headers"), QStringLiteral("policy"),
                QStringLiteral("audit_arguments"), QStringLiteral("hold_new_tools")});
        if (o.contains(u"command")) {
            const QJsonArray a = o.value(u"command").toArray();
            for (const QJsonValue& part : a)
                s.command << part.toString();
            if (a.isEmpty() || s.command.contains(QString()))
                error(JsonPointer::append(at, QStringLiteral("command")),
                      QStringLiteral("\"command\" is a non-empty array of strings"));
        }
        s.env = valueMap(o, at, QStringLiteral("env"), &s.secretEnv);
        s.cwd = string(o, at, QStringLiteral("cwd"));
        s.url = string(o, at, QStringLiteral("url"));
        s.headers = valueMap(o, at, QStringLiteral("headers"), &s.secretHeaders);
        s.policy = string(o, at, QStringLiteral("policy"));
        if (o.contains(u"audit_arguments") && !o.value(u"audit_arguments").isBool())
            error(JsonPointer::append(at, QStringLiteral("audit_arguments")),
                  QStringLiteral("\"audit_arguments\" is true or false"));
        s.auditArguments = o.value(u"audit_arguments").toBool();
        if (o.contains(u"hold_new_tools") && !o.value(u"hold_new_tools").isBool())
            error(JsonPointer::append(at, QStringLiteral("hold_new_tools")),
                  QStringLiteral("\"hold_new_tools\" is true or false"));
        s.holdNewTools = o.value(u"hold_new_tools").toBool(true);
        if (s.command.isEmpty() == s.url.isEmpty())
            error(at, QStringLiteral("a server has either \"command\" or \"url\""));
        return s;
    }

    GrantConfig grant(const QJsonValue& v, const QString& at, const QString& label)
    {
        GrantConfig g;
        if (!GrantConfig::isValidLabel(label))
            m_errors->append(m_src.atKey(
                at, QStringLiteral("a grant label is 1 to 64 letters, digits, '.', '_', '@' or '-'")));
        if (!v.isObject()) {
            error(at, QStringLiteral("a grant is an object"));
            return g;
        }
        const QJsonObject o = v.toObject();
        fields(o, at,
               {QStringLiteral("server"), QStringLiteral("token_sha256"), QStringLiteral("policy"),
                QStringLiteral("created")});
        g.server = string(o, at, QStringLiteral("server"), true);
        g.tokenSha256 = string(o, at, QStringLiteral("token_sha256"), true);
        static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
        if (!g.tokenSha256.isEmpty() && !hex.match(g.tokenSha256).hasMatch())
            error(JsonPointer::append(at, QStringLiteral("token_sha256")),
                  QStringLiteral("\"token_sha256\" is 64 lowercase hex digits"));
        g.policy = string(o, at, QStringLiteral("policy"));
        g.created = QDateTime::fromString(string(o, at, QStringLiteral("created")), Qt::ISODateWithMs);
        return g;
    }

    const JsonSource& m_src;
    Diagnostics* m_errors;
};

} // namespace

QString Config::defaultPath()
{
    const QString env = qEnvironmentVariable("GATEHOUSE_CONFIG");
    if (!env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/gatehouse/config.json");
}

bool Config::isValidServerName(const QString& name)
{
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return validName.match(name).hasMatch() && name != u"." && name != u"..";
}

QString Config::serverNameRule()
{
    return QStringLiteral(
        "a server name is 1 to 64 letters, digits, '.', '_' or '-' (it is part of the URL)");
}

QString Config::suggestedServerName(const QStringList& command, const QString& url)
{
    auto safe = [](QString name) {
        static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
        name = name.replace(unsafe, QStringLiteral("-")).left(64);
        while (name.startsWith(u'-') || name.startsWith(u'.'))
            name.remove(0, 1);
        return isValidServerName(name) ? name : QString();
    };
    if (!url.isEmpty()) {
        const QString host = safe(QUrl(url).host());
        return host.isEmpty() ? QStringLiteral("server") : host;
    }
    // Launchers run what names the server; skip them and their flags.
    static const QStringList launchers{
        QStringLiteral("node"),   QStringLiteral("npx"),     QStringLiteral("uvx"),  QStringLiteral("uv"),
        QStringLiteral("python"), QStringLiteral("python3"), QStringLiteral("deno"), QStringLiteral("bun"),
        QStringLiteral("pipx"),   QStringLiteral("docker"),  QStringLiteral("run")};
    static const QStringList plainFolders{QStringLiteral("dist"), QStringLiteral("build"),
                                          QStringLiteral("src"),  QStringLiteral("lib"),
                                          QStringLiteral("bin"),  QStringLiteral("out")};
    for (const QString& part : command) {
        const QString base = QFileInfo(part).completeBaseName();
        if (part.startsWith(u'-') || launchers.contains(QFileInfo(part).fileName()))
            continue;
        QStringList pieces = QDir::fromNativeSeparators(part).split(u'/', Qt::SkipEmptyParts);
        if (pieces.size() > 1 && QFileInfo(pieces.last()).completeBaseName() == u"index")
            pieces.removeLast();
        while (pieces.size() > 1 && plainFolders.contains(pieces.last()))
            pieces.removeLast();
        QString name = pieces.isEmpty() ? base : pieces.last();
        if (name.contains(u'@') && name.indexOf(u'@') > 0)
            name = name.left(name.indexOf(u'@')); // pkg@1.2.3
        if (name.endsWith(QLatin1String(".js")) || name.endsWith(QLatin1String(".py")) ||
            name.endsWith(QLatin1String(".mjs")))
            name = QFileInfo(name).completeBaseName();
        if (const QString s = safe(name); !s.isEmpty())
            return s;
    }
    return QStringLiteral("server");
}

QString Config::policyFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/gatehouse/policies");
}

QString Config::defaultPolicyFile(const QString& server)
{
    return policyFolder() + u'/' + server + QStringLiteral(".json");
}

bool Config::addServer(const QString& name, const ServerConfig& server, QString* error, bool replace)
{
    if (!isValidServerName(name)) {
        *error = serverNameRule();
        return false;
    }
    if (!replace && servers.contains(name)) {
        *error = QStringLiteral("a server named %1 exists already").arg(name);
        return false;
    }
    const std::optional<ServerConfig> old =
        servers.contains(name) ? std::optional(servers.value(name)) : std::nullopt;
    servers.insert(name, server);
    Diagnostics check;
    if (!parse(toJson(), &check)) {
        if (old)
            servers.insert(name, *old);
        else
            servers.remove(name);
        *error = check.value(0).message;
        return false;
    }
    return true;
}

QString Config::hashToken(const QByteArray& token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex());
}

bool ServerConfig::looksSecret(const QString& name)
{
    static const QRegularExpression secretish(
        QStringLiteral("authorization|api[-_]?key|token|secret|password|passwd|cookie|credential|"
                       "(^|[-_])(key|pat|pwd|auth)$"),
        QRegularExpression::CaseInsensitiveOption);
    return secretish.match(name).hasMatch();
}

bool GrantConfig::isValidLabel(const QString& label)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9._@-]{1,64}$"));
    return valid.match(label).hasMatch();
}

bool ServerConfig::isValidSecretName(const QString& name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return valid.match(name).hasMatch();
}

QString Config::grantFor(const QString& server, const QByteArray& token) const
{
    if (token.isEmpty())
        return {};
    const QByteArray hash = hashToken(token).toLatin1();
    QString found;
    for (auto it = grants.cbegin(); it != grants.cend(); ++it)
        if (constantTimeEquals(it->tokenSha256.toLatin1(), hash) && it->server == server)
            found = it.key();
    return found;
}

QStringList Config::grantsOf(const QString& server) const
{
    QStringList out;
    for (auto it = grants.cbegin(); it != grants.cend(); ++it)
        if (it->server == server)
            out << it.key();
    return out;
}

std::optional<Config> Config::parse(const QByteArray& json, Diagnostics* errors)
{
    const JsonSource src = JsonSource::parse(json);
    *errors = src.diagnostics();
    if (src.hasSyntaxError())
        return std::nullopt;
    auto config = ConfigReader(src, errors).run();
    // Grants must name a configured server, or one given on the command line: checked where served.
    return errors->isEmpty() ? config : std::nullopt;
}

std::optional<Config> Config::load(const QString& path, Diagnostics* errors)
{
    QFile f(path);
    if (!f.exists())
        return Config();
    if (!f.open(QIODevice::ReadOnly)) {
        errors->append({QString(), 0, 0, QStringLiteral("cannot read %1: %2").arg(path, f.errorString())});
        return std::nullopt;
    }
    auto config = parse(f.readAll(), errors);
    if (config) {
        // Relative policy paths are relative to the configuration file.
        const QDir base = QFileInfo(path).absoluteDir();
        for (ServerConfig& s : config->servers)
            if (!s.policy.isEmpty())
                s.policy = base.absoluteFilePath(s.policy);
        for (GrantConfig& g : config->grants)
            if (!g.policy.isEmpty())
                g.policy = base.absoluteFilePath(g.policy);
    }
    return config;
}

QByteArray Config::toJson() const
{
    JsonWriter w;
    w.beginObject();
    w.member(QStringLiteral("version"), QStringLiteral("1"));
    w.key(QStringLiteral("servers"));
    w.beginObject();
    for (auto it = servers.cbegin(); it != servers.cend(); ++it) {
        w.key(it.key());
        w.beginObject();
        if (!it->command.isEmpty())
            w.member(QStringLiteral("command"), QJsonArray::fromStringList(it->command));
        // Plain values and secret references side by side, in name order.
        auto map = [&w](const QString& key, const QMap<QString, QString>& plain,
                        const QMap<QString, QString>& secrets) {
            if (plain.isEmpty() && secrets.isEmpty())
                return;
            QStringList names = plain.keys() + secrets.keys();
            names.sort();
            names.removeDuplicates();
            w.key(key);
            w.beginObject();
            for (const QString& name : names) {
                if (secrets.contains(name))
                    w.member(name, QJsonObject{{QStringLiteral("secret"), secrets.value(name)}});
                else
                    w.member(name, plain.value(name));
            }
            w.endObject();
        };
        map(QStringLiteral("env"), it->env, it->secretEnv);
        if (!it->cwd.isEmpty())
            w.member(QStringLiteral("cwd"), it->cwd);
        if (!it->url.isEmpty())
            w.member(QStringLiteral("url"), it->url);
        map(QStringLiteral("headers"), it->headers, it->secretHeaders);
        if (!it->policy.isEmpty())
            w.member(QStringLiteral("policy"), it->policy);
        if (it->auditArguments)
            w.member(QStringLiteral("audit_arguments"), true);
        if (!it->holdNewTools)
            w.member(QStringLiteral("hold_new_tools"), false);
        w.endObject();
    }
    w.endObject();
    w.key(QStringLiteral("grants"));
    w.beginObject();
    for (auto it = grants.cbegin(); it != grants.cend(); ++it) {
        w.key(it.key());
        w.beginObject();
        w.member(QStringLiteral("server"), it->server);
        w.member(QStringLiteral("token_sha256"), it->tokenSha256);
        if (!it->policy.isEmpty())
            w.member(QStringLiteral("policy"), it->policy);
        if (it->created.isValid())
            w.member(QStringLiteral("created"), it->created.toUTC().toString(Qt::ISODate));
        w.endObject();
    }
    w.endObject();
    w.endObject();
    return w.finish();
}

std::optional<QByteArray> Config::addGrant(const QString& label, GrantConfig grant, QString* error)
{
    if (grants.contains(label)) {
        *error = QStringLiteral("a grant %1 exists already; revoke it first").arg(label);
        return std::nullopt;
    }
    const QByteArray token = randomToken(32); // 256 bits
    grant.tokenSha256 = hashToken(token);
    if (!grant.created.isValid())
        grant.created = QDateTime::currentDateTimeUtc();
    grants.insert(label, grant);
    Diagnostics check;
    if (!parse(toJson(), &check)) {
        grants.remove(label);
        *error = check.value(0).toString();
        return std::nullopt;
    }
    return token;
}

QString Config::freeGrantLabel(const QString& base) const
{
    QString label = base;
    for (int n = 2; grants.contains(label); ++n)
        label = QStringLiteral("%1-%2").arg(base).arg(n);
    return label;
}

bool Config::save(const QString& path, QString* error) const
{
    privatefiles::ensureFolder(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return false;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(toJson());
    if (!f.commit()) {
        *error = f.errorString();
        return false;
    }
    return true;
}

} // namespace gatehouse
