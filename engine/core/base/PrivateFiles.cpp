// SPDX-License-Identifier: GPL-3.0-or-later
#include "PrivateFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace gatehouse::privatefiles {

namespace {
constexpr QFileDevice::Permissions OthersOrGroup =
    QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
    QFileDevice::WriteOther | QFileDevice::ExeOther;
} // namespace

QString ensureFolder(const QString& folder)
{
    const QString path = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    // Create the missing part of the path one level at a time, each level 0700.
    QStringList missing;
    for (QString p = path; !QFileInfo::exists(p) && p != QDir::rootPath(); p = QFileInfo(p).absolutePath())
        missing.prepend(p);
    for (const QString& p : std::as_const(missing)) {
        QDir().mkdir(p);
        QFile::setPermissions(p, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    const QFileInfo info(path);
    if (missing.isEmpty() && info.isDir() && info.fileName() == u"gatehouse" && info.isWritable() &&
        (info.permissions() & OthersOrGroup)) {
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        return QStringLiteral("%1 could be read by other users; made private (0700)").arg(path);
    }
    return {};
}

QString ensureFile(const QString& file)
{
    QFile f(file);
    if (!f.exists()) {
        if (f.open(QIODevice::WriteOnly))
            f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return {};
    }
    if (f.permissions() & OthersOrGroup) {
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return QStringLiteral("%1 could be read by other users; made private (0600)").arg(file);
    }
    return {};
}

} // namespace gatehouse::privatefiles
