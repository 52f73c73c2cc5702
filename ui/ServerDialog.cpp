// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerDialog.h"

#include "Tones.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {

// "K=V" (or "K: V") lines into a map; the first bad line is the error.
std::optional<QMap<QString, QString>> pairs(const QString& text, QChar separator, const QString& what,
                                            QString* error)
{
    QMap<QString, QString> out;
    int n = 0;
    for (const QString& raw : text.split(u'\n')) {
        ++n;
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype at = line.indexOf(separator);
        if (at <= 0) {
            *error = QObject::tr("%1, line %2: write NAME%3VALUE").arg(what).arg(n).arg(separator);
            return std::nullopt;
        }
        out.insert(line.left(at).trimmed(), line.mid(at + 1).trimmed());
    }
    return out;
}

QString lines(const QMap<QString, QString>& plain, const QMap<QString, QString>& secrets, const QString& sep)
{
    QStringList out;
    for (auto it = plain.cbegin(); it != plain.cend(); ++it)
        out << it.key() + sep + it.value();
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        out << it.key() + sep + QObject::tr("(in the keychain as %1)").arg(it.value());
    return out.join(u'\n');
}

} // namespace

ServerDialog::ServerDialog(QString configPath, KeepSecrets keepSecrets, const QString& editing,
                           QWidget* parent)
    : QDialog(parent)
    , m_configPath(std::move(configPath))
    , m_keepSecrets(std::move(keepSecrets))
    , m_editing(editing)
    , m_name(new QLineEdit(this))
    , m_kind(new QComboBox(this))
    , m_pages(new QStackedWidget(this))
    , m_command(new QLineEdit(this))
    , m_env(new QPlainTextEdit(this))
    , m_cwd(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_headers(new QPlainTextEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(editing.isEmpty() ? tr("Add server") : tr("Edit %1").arg(editing));
    auto* form = new QFormLayout;
    m_name->setPlaceholderText(tr("part of its URL, e.g. everything"));
    m_name->setAccessibleName(tr("Name"));
    form->addRow(tr("&Name:"), m_name);
    m_kind->addItem(tr("A command (stdio)"));
    m_kind->addItem(tr("A URL (Streamable HTTP)"));
    form->addRow(tr("&Runs as:"), m_kind);

    auto* stdio = new QWidget(m_pages);
    auto* stdioForm = new QFormLayout(stdio);
    stdioForm->setContentsMargins(0, 0, 0, 0);
    m_command->setPlaceholderText(tr("npx -y @modelcontextprotocol/server-everything"));
    stdioForm->addRow(tr("&Command:"), m_command);
    m_env->setPlaceholderText(tr("NAME=value, one per line; credentials go to the keychain"));
    m_env->setTabChangesFocus(true);
    m_env->setMaximumHeight(m_env->fontMetrics().lineSpacing() * 5);
    stdioForm->addRow(tr("&Environment:"), m_env);
    stdioForm->addRow(tr("&Working folder:"), m_cwd);
    auto* http = new QWidget(m_pages);
    auto* httpForm = new QFormLayout(http);
    httpForm->setContentsMargins(0, 0, 0, 0);
    m_url->setPlaceholderText(QStringLiteral("http://127.0.0.1:3001/mcp"));
    httpForm->addRow(tr("&URL:"), m_url);
    m_headers->setPlaceholderText(tr("Name: value, one per line; credentials go to the keychain"));
    m_headers->setTabChangesFocus(true);
    m_headers->setMaximumHeight(m_headers->fontMetrics().lineSpacing() * 5);
    httpForm->addRow(tr("&Headers:"), m_headers);
    m_pages->addWidget(stdio);
    m_pages->addWidget(http);
    connect(m_kind, &QComboBox::currentIndexChanged, m_pages, &QStackedWidget::setCurrentIndex);

    m_error->setWordWrap(true);
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, tone(Tone::Bad, p));
    m_error->setPalette(p);
    m_error->hide();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)
        ->setText(editing.isEmpty() ? tr("Add and start") : tr("Save and restart"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ServerDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_pages);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(620, sizeHint().height());

    if (!editing.isEmpty()) {
        Diagnostics errors;
        const std::optional<Config> config = Config::load(m_configPath, &errors);
        const ServerConfig s = config ? config->servers.value(editing) : ServerConfig();
        m_name->setText(editing);
        m_name->setReadOnly(true);
        m_kind->setCurrentIndex(s.url.isEmpty() ? 0 : 1);
        QStringList quoted;
        for (const QString& part : s.command)
            quoted << (part.contains(u' ') || part.isEmpty() ? u'"' + part + u'"' : part);
        m_command->setText(quoted.join(u' '));
        m_env->setPlainText(lines(s.env, s.secretEnv, QStringLiteral("=")));
        m_cwd->setText(s.cwd);
        m_url->setText(s.url);
        m_headers->setPlainText(lines(s.headers, s.secretHeaders, QStringLiteral(": ")));
    }
}

QString ServerDialog::serverName() const
{
    return m_name->text().trimmed();
}

std::optional<ServerConfig> ServerDialog::entered(QString* error) const
{
    ServerConfig s;
    if (m_kind->currentIndex() == 0) {
        s.command = QProcess::splitCommand(m_command->text());
        if (s.command.isEmpty()) {
            *error = tr("Give the command that starts the server, with its arguments");
            return std::nullopt;
        }
        const auto env = pairs(m_env->toPlainText(), u'=', tr("Environment"), error);
        if (!env)
            return std::nullopt;
        s.env = *env;
        s.cwd = m_cwd->text().trimmed();
        if (!s.cwd.isEmpty() && !QFileInfo(s.cwd).isDir()) {
            *error = tr("The working folder %1 does not exist").arg(s.cwd);
            return std::nullopt;
        }
    } else {
        s.url = m_url->text().trimmed();
        const QUrl url(s.url, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()) {
            *error = tr("The URL must be http:// or https:// with a host");
            return std::nullopt;
        }
        const auto headers = pairs(m_headers->toPlainText(), u':', tr("Headers"), error);
        if (!headers)
            return std::nullopt;
        s.headers = *headers;
    }
    return s;
}

void ServerDialog::accept()
{
    QString why;
    auto fail = [this](const QString& text) {
        m_error->setText(text);
        m_error->show();
    };
    const QString name = serverName();
    if (!Config::isValidServerName(name))
        return fail(tr("The name is part of the server's URL: 1 to 64 letters, digits, '.', '_' or '-'"));
    std::optional<ServerConfig> s = entered(&why);
    if (!s)
        return fail(why);
    Diagnostics errors;
    std::optional<Config> config = Config::load(m_configPath, &errors);
    if (!config)
        return fail(
            tr("%1 is invalid, so nothing was written: %2").arg(m_configPath, errors.value(0).toString()));
    if (m_editing.isEmpty() && config->servers.contains(name))
        return fail(tr("A server named %1 exists already").arg(name));
    const ServerConfig old = config->servers.value(m_editing);
    // Values shown as "(in the keychain as …)" stay where they are.
    for (auto it = old.secretEnv.cbegin(); it != old.secretEnv.cend(); ++it)
        if (s->env.value(it.key()).startsWith(u'(') && s->env.value(it.key()).endsWith(u')')) {
            s->env.remove(it.key());
            s->secretEnv.insert(it.key(), it.value());
        }
    for (auto it = old.secretHeaders.cbegin(); it != old.secretHeaders.cend(); ++it)
        if (s->headers.value(it.key()).startsWith(u'(') && s->headers.value(it.key()).endsWith(u')')) {
            s->headers.remove(it.key());
            s->secretHeaders.insert(it.key(), it.value());
        }
    s->policy = old.policy.isEmpty() ? Config::defaultPolicyFile(name) : old.policy;
    s->auditArguments = old.auditArguments;
    s->holdNewTools = old.holdNewTools;
    QStringList notes;
    auto looksSecret = [](const QMap<QString, QString>& m) {
        return std::any_of(m.keyBegin(), m.keyEnd(),
                           [](const QString& k) { return ServerConfig::looksSecret(k); });
    };
    if (looksSecret(s->env) || looksSecret(s->headers)) {
        if (!m_keepSecrets)
            return fail(tr("A value looks like a credential, and there is no keychain to keep it in"));
        if (!m_keepSecrets(name, *s, &notes, &why))
            return fail(why);
    }
    if (!config->addServer(name, *s, &why, !m_editing.isEmpty()))
        return fail(why);
    if (!config->save(m_configPath, &why))
        return fail(tr("Cannot write %1: %2").arg(m_configPath, why));
    emit saved(name, notes);
    QDialog::accept();
}

} // namespace gatehouse::ui
