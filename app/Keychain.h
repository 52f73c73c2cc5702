// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <optional>

namespace gatehouse::cli {

// Secrets in the user's keychain (Secret Service, KWallet, macOS Keychain, Windows Credential Store via
// QtKeychain), under the service "gatehouse". Never a plain-text file: without a keychain these fail,
// with the reason. Each call waits for the keychain (a few seconds at most).
std::optional<QString> keychainRead(const QString& key, QString* error);
bool keychainWrite(const QString& key, const QString& value, QString* error);
bool keychainDelete(const QString& key, QString* error);

} // namespace gatehouse::cli
