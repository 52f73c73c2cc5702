// SPDX-License-Identifier: GPL-3.0-or-later
#include "AdminAccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace gatehouse::cli {

QString AdminAccess::defaultFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation) + QStringLiteral("/gatehouse/admin.json");
}

bool AdminAccess::write(const QString& file, QString* error) const
{
    QDir().mkpath(QFileInfo(file).absolutePath());
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
