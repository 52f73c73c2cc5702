// SPDX-License-Identifier: GPL-3.0-or-later
#include "Secrets.h"

#include "Keychain.h"

#include <QRegularExpression>

namespace gatehouse::cli::secrets {

QString environmentVariable(const QString& name)
{
    static const QRegularExpression other(QStringLiteral("[^A-Z0-9]"));
    return QStringLiteral("GATEHOUSE_SECRET_") + name.toUpper().replace(other, QStringLiteral("_"));
}

QString keychainKey(const QString& name)
{
    return QStringLiteral("secret/") + name;
}

std::optional<QString> read(const QString& name, QString* source, QString* error)
{
    const QString fromEnvironment = qEnvironmentVariable(environmentVariable(name).toLatin1().constData());
    if (!fromEnvironment.isEmpty()) {
        *source = QStringLiteral("environment");
        return fromEnvironment;
    }
    QString why;
    const std::optional<QString> stored = keychainRead(keychainKey(name), &why);
    if (stored && !stored->isEmpty()) {
        *source = QStringLiteral("keychain");
        return stored;
    }
    *error = QStringLiteral("secret \"%1\" is neither in %2 nor in the keychain (%3); store it with "
                            "`gatehouse secrets set %1` (the value on standard input)")
                 .arg(name, environmentVariable(name), why);
    return std::nullopt;
}

bool resolve(QMap<QString, ServerConfig>* servers, QStringList* log, QString* error)
{
    for (auto server = servers->begin(); server != servers->end(); ++server) {
        auto fill = [&](const QMap<QString, QString>& refs, QMap<QString, QString>* into, const char* what) {
            for (auto ref = refs.cbegin(); ref != refs.cend(); ++ref) {
                QString source;
                QString why;
                const std::optional<QString> value = read(ref.value(), &source, &why);
                if (!value) {
                    *error = QStringLiteral("server %1, %2 %3: %4")
                                 .arg(server.key(), QLatin1String(what), ref.key(), why);
                    return false;
                }
                into->insert(ref.key(), *value);
                log->append(QStringLiteral("server %1: %2 %3 from secret \"%4\" in the %5")
                                .arg(server.key(), QLatin1String(what), ref.key(), ref.value(), source));
            }
            return true;
        };
        if (!fill(server->secretHeaders, &server->headers, "header") ||
            !fill(server->secretEnv, &server->env, "variable"))
            return false;
    }
    return true;
}

QStringList plainTextWarnings(const QMap<QString, ServerConfig>& servers)
{
    QStringList out;
    auto check = [&out](const QString& server, const QMap<QString, QString>& values, const char* what) {
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            if (ServerConfig::looksSecret(it.key()) && !it.value().isEmpty())
                out << QStringLiteral(
                           "server %1: %2 %3 looks like a credential and is in plain text; keep it "
                           "in the keychain instead: `gatehouse secrets set %1-%4` and write "
                           "{\"secret\": \"%1-%4\"} as its value")
                           .arg(server, QLatin1String(what), it.key(), it.key().toLower());
    };
    for (auto it = servers.cbegin(); it != servers.cend(); ++it) {
        check(it.key(), it->headers, "header");
        check(it.key(), it->env, "variable");
    }
    return out;
}

} // namespace gatehouse::cli::secrets

namespace gatehouse::cli {

int secretsCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err)
{
    const QString verb = args.value(0);
    const QString name = args.value(1);
    if (args.size() != 2 || (verb != u"set" && verb != u"clear" && verb != u"status")) {
        err << "usage: gatehouse secrets set NAME     (the value on standard input)\n"
               "       gatehouse secrets clear NAME\n"
               "       gatehouse secrets status NAME\n"
               "A server's header or variable uses it as {\"secret\": \"NAME\"} in the configuration.\n";
        return 2;
    }
    if (!ServerConfig::isValidSecretName(name)) {
        err << "gatehouse secrets: a secret name is 1 to 64 letters, digits, '.', '_' or '-'\n";
        return 2;
    }
    QString error;
    if (verb == u"set") {
        const QString value = in.readLine().trimmed();
        if (value.isEmpty()) {
            err << "gatehouse secrets set: give the value on standard input\n";
            return 2;
        }
        if (!keychainWrite(secrets::keychainKey(name), value, &error)) {
            err << "gatehouse secrets set: " << error << "; without a keychain, set "
                << secrets::environmentVariable(name) << " in the proxy's environment\n";
            return 1;
        }
        out << "secret \"" << name << "\" stored in the keychain\n";
        return 0;
    }
    if (verb == u"clear") {
        if (!keychainDelete(secrets::keychainKey(name), &error)) {
            err << "gatehouse secrets clear: " << error << '\n';
            return 1;
        }
        out << "secret \"" << name << "\" removed from the keychain\n";
        return 0;
    }
    QString source;
    const std::optional<QString> value = secrets::read(name, &source, &error);
    if (!value) {
        err << "gatehouse secrets: " << error << '\n';
        return 1;
    }
    // Enough to recognise a long token by, nothing of a short one.
    out << "secret \"" << name << "\" from the " << source << ": "
        << (value->size() >= 16 ? value->left(4) + QStringLiteral("… (") : QStringLiteral("("))
        << value->size() << " characters)\n";
    return 0;
}

} // namespace gatehouse::cli
