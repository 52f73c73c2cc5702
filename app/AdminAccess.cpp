// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminAccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <unistd.h>

namespace gatehouse::cli {

QString AdminAccess::defaultFile()
{
    // $XDG_RUNTIME_DIR is private to the user; without one, a per-user folder in /tmp (created 0700).
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty())
        return runtime + QStringLiteral("/gatehouse/admin.json");
    return QDir::tempPath() + QStringLiteral("/gatehouse-%1/admin.json").arg(::getuid());
}

bool AdminAccess::write(const QString& file, QString* error) const
{
    const QString dir = QFileInfo(file).absolutePath();
    QDir().mkpath(dir);
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = out.errorString();
        return false;
    }
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(QJsonDocument(QJsonObject{{QStringLiteral("url"), url},
                                        {QStringLiteral("token"), token},
                                        {QStringLiteral("pid"), QCoreApplication::applicationPid()}})
                  .toJson());
    if (!out.commit()) {
        *error = out.errorString();
        return false;
    }
    return true;
}

AdminAccess AdminAccess::read(const QString& file, QString* error)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("no running proxy found (%1: %2)").arg(file, in.errorString());
        return {};
    }
    const QJsonObject o = QJsonDocument::fromJson(in.readAll()).object();
    AdminAccess a{o.value(QStringLiteral("url")).toString(), o.value(QStringLiteral("token")).toString()};
    if (a.url.isEmpty() || a.token.isEmpty())
        *error = QStringLiteral("%1 does not name an admin API").arg(file);
    return a;
}

} // namespace gatehouse::cli
