// SPDX-License-Identifier: GPL-3.0-or-later
#include "PrivateFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace gatehouse::privatefiles {

namespace {
constexpr QFileDevice::Permissions OthersOrGroup = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                   QFileDevice::ExeGroup | QFileDevice::ReadOther |
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

QStringList ensureDatabase(const QString& path)
{
    QStringList notes{ensureFolder(QFileInfo(path).absolutePath()), ensureFile(path)};
    for (const char* suffix : {"-wal", "-shm"})
        if (QFile::exists(path + QLatin1String(suffix)))
            notes << ensureFile(path + QLatin1String(suffix));
    notes.removeAll(QString());
    return notes;
}

std::unique_ptr<QLockFile> lockForWriting(const QString& path, qint64* holder)
{
    auto lock = std::make_unique<QLockFile>(path + QStringLiteral(".lock"));
    lock->setStaleLockTime(0); // a lock left by a process that died is taken over (QLockFile checks the pid)
    if (lock->tryLock(100))
        return lock;
    QString host, app;
    *holder = 0;
    lock->getLockInfo(holder, &host, &app);
    return nullptr;
}

} // namespace gatehouse::privatefiles
