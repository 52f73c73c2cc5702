// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportDialog.h"

#include "Tones.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace gatehouse::ui {

ImportDialog::ImportDialog(ClientGuard::Options options, QWidget* parent)
    : QDialog(parent)
    , m_options(std::move(options))
    , m_client(new QComboBox(this))
    , m_file(new QLineEdit(this))
    , m_entries(new QListWidget(this))
    , m_preview(new QPlainTextEdit(this))
    , m_message(new QLabel(this))
    , m_guard(new QPushButton(tr("&Guard selected"), this))
{
    setWindowTitle(tr("Guard a client's servers"));
    for (auto c : {ClientConfigFile::Client::ClaudeDesktop, ClientConfigFile::Client::Cursor,
                   ClientConfigFile::Client::VsCode})
        m_client->addItem(ClientConfigFile::displayName(c), int(c));
    auto* form = new QFormLayout;
    form->addRow(tr("&Client:"), m_client);
    form->addRow(tr("Its &file:"), m_file);
    m_entries->setAccessibleName(tr("Its servers"));
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setAccessibleName(tr("The change to the client's file"));
    m_message->setWordWrap(true);
    m_guard->setEnabled(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_guard, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_guard, &QPushButton::clicked, this, &ImportDialog::guard);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(
        new QLabel(tr("Servers it starts itself (check the ones Gatehouse should guard):"), this));
    layout->addWidget(m_entries, 1);
    layout->addWidget(
        new QLabel(tr("What changes in its file (nothing else is touched; a backup is kept):"), this));
    layout->addWidget(m_preview, 2);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    resize(760, 620);

    connect(m_client, &QComboBox::currentIndexChanged, this, [this] {
        m_file->setText(ClientConfigFile::defaultPath(client()));
        readFile();
    });
    connect(m_file, &QLineEdit::editingFinished, this, &ImportDialog::readFile);
    connect(m_entries, &QListWidget::itemChanged, this, &ImportDialog::updatePreview);
    m_file->setText(ClientConfigFile::defaultPath(client()));
    readFile();
}

ClientConfigFile::Client ImportDialog::client() const
{
    return ClientConfigFile::Client(m_client->currentData().toInt());
}

QStringList ImportDialog::chosen() const
{
    QStringList out;
    for (int i = 0; i < m_entries->count(); ++i)
        if (m_entries->item(i)->checkState() == Qt::Checked)
            out << m_entries->item(i)->data(Qt::UserRole).toString();
    return out;
}

void ImportDialog::readFile()
{
    m_entries->clear();
    m_preview->clear();
    m_message->clear();
    QString why;
    const auto entries = ClientGuard::read(client(), m_file->text(), &why);
    if (!entries) {
        m_message->setText(why);
        m_guard->setEnabled(false);
        return;
    }
    if (entries->isEmpty())
        m_message->setText(tr("It starts no servers."));
    const QSignalBlocker quiet(m_entries);
    for (const ClientGuard::Entry& e : *entries) {
        auto* item = new QListWidgetItem(m_entries);
        item->setData(Qt::UserRole, e.name);
        if (e.throughGatehouse) {
            item->setText(tr("%1 — already through Gatehouse").arg(e.name));
            item->setFlags(Qt::ItemIsEnabled);
        } else if (!e.server) {
            item->setText(tr("%1 — cannot be guarded: %2").arg(e.name, e.problem));
            item->setFlags(Qt::ItemIsEnabled);
        } else {
            item->setText(QStringLiteral("%1 — %2").arg(
                e.name, e.server->url.isEmpty() ? e.server->command.join(u' ') : e.server->url));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(Qt::Unchecked);
        }
    }
    updatePreview();
}

void ImportDialog::updatePreview()
{
    const QStringList names = chosen();
    m_guard->setEnabled(!names.isEmpty());
    if (names.isEmpty()) {
        m_preview->setPlainText(tr("(check a server to see the change)"));
        return;
    }
    ClientGuard::Options dry = m_options;
    dry.dryRun = true;
    const ClientGuard::Outcome o = ClientGuard::guard(client(), m_file->text(), names, dry);
    m_preview->setPlainText(o.ok ? o.diff : o.error);
    m_guard->setEnabled(o.ok);
}

void ImportDialog::guard()
{
    const QStringList names = chosen();
    const ClientGuard::Outcome o = ClientGuard::guard(client(), m_file->text(), names, m_options);
    if (!o.ok) {
        m_message->setText(tr("Nothing was changed: %1").arg(o.error));
        return;
    }
    readFile(); // the guarded entries now show as through Gatehouse
    QStringList notes = o.notes;
    if (!o.backup.isEmpty())
        notes << tr("The old file is kept as %1").arg(o.backup);
    notes << tr("Restart %1 to use it.").arg(ClientConfigFile::displayName(client()));
    m_message->setText(notes.join(u'\n'));
    QStringList servers;
    for (const ClientGuard::Record& r : ClientGuard::records())
        if (names.contains(r.entry) && r.path == QFileInfo(m_file->text()).absoluteFilePath())
            servers << r.server;
    emit guarded(servers, notes);
}

} // namespace gatehouse::ui
