// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Config.h"

#include <QTextStream>
#include <optional>

namespace gatehouse::cli {

// Upstream credentials named in the configuration as {"secret": "NAME"}. A secret comes from
// GATEHOUSE_SECRET_<NAME> in the environment (NAME upper-cased, anything but letters and digits as '_'),
// for machines without a keychain and for CI, else from the user's keychain entry "secret/NAME". The value
// lives in memory only: it goes into the upstream's headers or environment, never into a file, the audit
// log or the call monitor.
namespace secrets {

QString environmentVariable(const QString& name); // GATEHOUSE_SECRET_ACME_KEY for "acme-key"
QString keychainKey(const QString& name);         // secret/acme-key

// The value and where it came from ("environment" or "keychain"); nullopt with the way out when neither has
// it.
std::optional<QString> read(const QString& name, QString* source, QString* error);

// Fills in every secret of every server (headers and environment). False, naming the server, the header or
// variable and the secret, when one cannot be found. `log` gets one line per secret saying where it came
// from.
bool resolve(QMap<QString, ServerConfig>* servers, QStringList* log, QString* error);

// Warnings for credentials written in plain text (headers or variables whose names look like one).
QStringList plainTextWarnings(const QMap<QString, ServerConfig>& servers);

} // namespace secrets

// gatehouse secrets set NAME | clear NAME | status NAME
// `set` reads the value from standard input, so it is in no shell history and no process list.
int secretsCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
