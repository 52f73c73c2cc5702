// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectClientDialog.h"

#include "Tones.h"
#include "config/Config.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTextEdit>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
using Client = ClientConfigFile::Client;

// Stands in for a grant's token in the preview: the token is made only when the person commits.
const QByteArray PlaceholderToken = QByteArrayLiteral("<new token of grant %1>");

QString diffHtml(const QString& diff)
{
    QString html = QStringLiteral("<pre style='margin:0'>");
    for (const QString& line : diff.split(u'\n')) {
        const QString text = line.toHtmlEscaped();
        if (line.startsWith(u'+'))
            html += QStringLiteral("<span style='background:%1;color:%2'>%3</span>\n")
                        .arg(toneCss(Tone::GoodBack), toneCss(Tone::Good), text);
        else if (line.startsWith(u'-'))
            html += QStringLiteral("<span style='background:%1;color:%2'>%3</span>\n")
                        .arg(toneCss(Tone::BadBack), toneCss(Tone::Bad), text);
        else
            html += QStringLiteral("<span style='color:%1'>%2</span>\n").arg(toneCss(Tone::Muted), text);
    }
    return html + QStringLiteral("</pre>");
}
} // namespace

ConnectClientDialog::ConnectClientDialog(Target target, QWidget* parent)
    : QDialog(parent)
    , m_target(std::move(target))
{
    setWindowTitle(tr("Connect a client"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Point an MCP client at <b>%1</b> through Gatehouse. Its configuration file gets an entry "
           "<code>gatehouse-%1</code>; everything else in it stays, and the old file is kept as a backup.")
            .arg(m_target.serverName.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    m_client = new QComboBox(this);
    for (const Client c : {Client::ClaudeDesktop, Client::Cursor, Client::VsCode})
        m_client->addItem(ClientConfigFile::displayName(c), int(c));
    form->addRow(tr("&Client:"), m_client);

    auto* pathRow = new QHBoxLayout;
    m_path = new QLineEdit(this);
    auto* browse = new QPushButton(tr("&Browse…"), this);
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto* pathLabel = new QLabel(tr("Config &file:"), this);
    pathLabel->setBuddy(m_path);
    form->addRow(pathLabel, pathRow);

    auto* grantRow = new QHBoxLayout;
    m_grant = new QCheckBox(tr("Its own &grant, named"), this);
    m_grant->setChecked(true);
    m_grant->setToolTip(tr("A token for this client alone, kept across launches (only its SHA-256 is "
                           "stored). Revoke it with `gatehouse grants revoke NAME`."));
    m_grantLabel = new QLineEdit(this);
    grantRow->addWidget(m_grant);
    grantRow->addWidget(m_grantLabel, 1);
    form->addRow(tr("Identity:"), grantRow);
    layout->addLayout(form);

    m_tokenNote = new QLabel(this);
    m_tokenNote->setWordWrap(true);
    layout->addWidget(m_tokenNote);

    layout->addWidget(new QLabel(tr("Changes to the file:"), this));
    m_preview = new QTextEdit(this);
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setMinimumSize(560, 220);
    layout->addWidget(m_preview, 1);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(tr("Copy &snippet"), QDialogButtonBox::ActionRole);
    m_write = buttons->addButton(tr("&Write config file"), QDialogButtonBox::AcceptRole);
    m_write->setDefault(true);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_write, &QPushButton::clicked, this, [this] { writeConfig(); });
    connect(m_copy, &QPushButton::clicked, this, [this] { copySnippet(); });
    connect(m_client, &QComboBox::currentIndexChanged, this, [this] {
        m_path->setText(ClientConfigFile::defaultPath(client()));
        static const char* labels[] = {"claude-desktop", "cursor", "vscode"};
        m_grantLabel->setText(QString::fromLatin1(labels[m_client->currentIndex()]));
        refresh();
    });
    connect(m_path, &QLineEdit::textChanged, this, &ConnectClientDialog::refresh);
    connect(m_grant, &QCheckBox::toggled, this, &ConnectClientDialog::refresh);
    connect(m_grantLabel, &QLineEdit::textChanged, this, &ConnectClientDialog::refresh);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("The client's MCP configuration"), m_path->text(),
            tr("JSON files (*.json);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_path->setText(path);
    });
    m_path->setText(ClientConfigFile::defaultPath(client()));
    m_grantLabel->setText(QStringLiteral("claude-desktop"));
    refresh();
}

Client ConnectClientDialog::client() const
{
    return Client(m_client->currentData().toInt());
}

void ConnectClientDialog::setClient(Client c)
{
    m_client->setCurrentIndex(m_client->findData(int(c)));
}

void ConnectClientDialog::setClientConfigPath(const QString& path)
{
    m_path->setText(path);
}

void ConnectClientDialog::setUseGrant(bool on)
{
    m_grant->setChecked(on);
}

QString ConnectClientDialog::preview() const
{
    return m_previewText;
}

QString ConnectClientDialog::status() const
{
    return m_status->text();
}

bool ConnectClientDialog::canWrite() const
{
    return m_write->isEnabled();
}

void ConnectClientDialog::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color:%1").arg(toneCss(Tone::Bad)) : QString());
}

void ConnectClientDialog::refresh()
{
    m_grantLabel->setEnabled(m_grant->isChecked());
    const bool grantOk = !m_grant->isChecked() || GrantConfig::isValidLabel(m_grantLabel->text());
    // The label the grant will really get: taken ones get a number.
    Diagnostics errors;
    const std::optional<Config> config = Config::load(m_target.configPath, &errors);
    const QString label = config ? config->freeGrantLabel(m_grantLabel->text()) : m_grantLabel->text();
    m_tokenNote->setText(
        !m_grant->isChecked()
            ? tr("<b>The launch token changes each time Gatehouse starts:</b> this entry stops working "
                 "after a restart. A grant does not.")
        : label != m_grantLabel->text()
            ? tr("A grant %1 exists already: this client gets <b>%2</b>, with a token of its own made when "
                 "you write or copy.")
                  .arg(m_grantLabel->text().toHtmlEscaped(), label.toHtmlEscaped())
            : tr("The client gets a token of its own when you write or copy; it stays valid until revoked."));
    const QByteArray token = m_grant->isChecked() ? QString::fromLatin1(PlaceholderToken).arg(label).toUtf8()
                                                  : m_target.launchToken.toUtf8();
    const QJsonObject entry =
        ClientConfigFile::entryFor(client(), m_target.url, token, m_target.bridgeProgram);
    ClientConfigFile file(client(), m_path->text());
    QString error;
    m_mergeable = !m_path->text().isEmpty() &&
                  file.merge(QStringLiteral("gatehouse-") + m_target.serverName, entry, &error);
    if (m_mergeable) {
        m_previewText = file.changes() ? file.diff() : tr("(the file has this entry already)");
        m_preview->setHtml(diffHtml(m_previewText));
        setStatus(QFileInfo::exists(m_path->text())
                      ? QString()
                      : tr("%1 does not exist yet; it will be created.").arg(m_path->text()),
                  false);
    } else {
        m_previewText = error;
        m_preview->setPlainText(error.isEmpty() ? tr("Choose the client's configuration file.") : error);
        setStatus(tr("This file cannot be merged into; use Copy snippet and paste by hand."), true);
    }
    if (!grantOk)
        setStatus(tr("A grant name is 1 to 64 letters, digits, '.', '_' or '-'."), true);
    m_write->setEnabled(m_mergeable && grantOk && file.changes());
    m_copy->setEnabled(grantOk);
}

QByteArray ConnectClientDialog::issueToken(QString* grantLabel)
{
    grantLabel->clear();
    if (!m_grant->isChecked())
        return m_target.launchToken.toUtf8();
    Diagnostics errors;
    std::optional<Config> config = Config::load(m_target.configPath, &errors);
    if (!config) {
        setStatus(tr("Gatehouse's configuration %1 is invalid (%2); no grant was made.")
                      .arg(m_target.configPath, errors.value(0).toString()),
                  true);
        return {};
    }
    const QString label = config->freeGrantLabel(m_grantLabel->text());
    GrantConfig grant;
    grant.server = m_target.serverName;
    QString why;
    const std::optional<QByteArray> token = config->addGrant(label, grant, &why);
    if (!token || !config->save(m_target.configPath, &why)) {
        setStatus(tr("Cannot make the grant: %1").arg(why), true);
        return {};
    }
    *grantLabel = label;
    emit grantIssued(label);
    return *token;
}

void ConnectClientDialog::revokeGrant(const QString& label)
{
    Diagnostics errors;
    std::optional<Config> config = Config::load(m_target.configPath, &errors);
    QString why;
    if (config && config->grants.remove(label) > 0)
        config->save(m_target.configPath, &why);
}

bool ConnectClientDialog::writeConfig()
{
    if (!canWrite())
        return false;
    QString label;
    const QByteArray token = issueToken(&label);
    if (token.isEmpty())
        return false;
    ClientConfigFile file(client(), m_path->text());
    QString error;
    QString backup;
    const QJsonObject entry =
        ClientConfigFile::entryFor(client(), m_target.url, token, m_target.bridgeProgram);
    if (!file.merge(QStringLiteral("gatehouse-") + m_target.serverName, entry, &error) ||
        !file.write(&backup, &error)) {
        if (!label.isEmpty())
            revokeGrant(label); // nothing holds its token: no grant left behind
        setStatus(error, true);
        return false;
    }
    const QString name = ClientConfigFile::displayName(client());
    setStatus((label.isEmpty()
                   ? tr("Written to %1.").arg(file.path())
                   : tr("Written to %1 with grant <b>%2</b>.").arg(file.path(), label.toHtmlEscaped())) +
                  (backup.isEmpty() ? QString() : tr(" The old file is kept as %1.").arg(backup)) +
                  tr(" Restart %1 to connect.").arg(name),
              false);
    m_write->setEnabled(false);
    return true;
}

bool ConnectClientDialog::copySnippet()
{
    QString label;
    const QByteArray token = issueToken(&label);
    if (token.isEmpty())
        return false;
    const QJsonObject entry =
        ClientConfigFile::entryFor(client(), m_target.url, token, m_target.bridgeProgram);
    QApplication::clipboard()->setText(
        ClientConfigFile::snippet(client(), QStringLiteral("gatehouse-") + m_target.serverName, entry));
    setStatus(label.isEmpty() ? tr("Copied. Paste it into the client's MCP configuration.")
                              : tr("Copied, with the token of the new grant <b>%1</b>: it is only in the "
                                   "clipboard now. Paste it into the client's MCP configuration.")
                                    .arg(label.toHtmlEscaped()),
              false);
    return true;
}

} // namespace gatehouse::ui
