// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace gatehouse::cli {

// Where a running proxy's admin API is and its token: written by `gatehouse serve` to
// $XDG_RUNTIME_DIR/gatehouse/admin.json (mode 0600), read by `gatehouse approvals`.
struct AdminAccess
{
    QString url; // http://127.0.0.1:PORT/admin
    QString token;

    static QString defaultFile();
    bool write(const QString& file, QString* error) const;
    static AdminAccess read(const QString& file, QString* error);
};

} // namespace gatehouse::cli
