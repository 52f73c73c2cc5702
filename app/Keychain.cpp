// SPDX-License-Identifier: GPL-3.0-or-later
#include "Keychain.h"

#include <QEventLoop>
#include <QTimer>

#ifdef GATEHOUSE_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace gatehouse::cli {

namespace {
const QString Service = QStringLiteral("gatehouse");

#ifdef GATEHOUSE_HAVE_KEYCHAIN
// Runs a keychain job to its end (or 10 s), and says whether it succeeded.
bool run(QKeychain::Job& job, QString* error)
{
    job.setAutoDelete(false);
    job.setInsecureFallback(false); // a secret never lands in a plain file
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10'000, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (job.error() == QKeychain::NoError)
        return true;
    *error = job.error() == QKeychain::EntryNotFound ? QStringLiteral("not in the keychain")
                                                     : QStringLiteral("keychain: %1").arg(job.errorString());
    return false;
}
#endif
} // namespace

std::optional<QString> keychainRead(const QString& key, QString* error)
{
#ifdef GATEHOUSE_HAVE_KEYCHAIN
    QKeychain::ReadPasswordJob job(Service);
    job.setKey(key);
    if (!run(job, error))
        return std::nullopt;
    return job.textData();
#else
    Q_UNUSED(key);
    *error = QStringLiteral("this build has no keychain support (QtKeychain)");
    return std::nullopt;
#endif
}

bool keychainWrite(const QString& key, const QString& value, QString* error)
{
#ifdef GATEHOUSE_HAVE_KEYCHAIN
    QKeychain::WritePasswordJob job(Service);
    job.setKey(key);
    job.setTextData(value);
    return run(job, error);
#else
    Q_UNUSED(key);
    Q_UNUSED(value);
    *error = QStringLiteral("this build has no keychain support (QtKeychain)");
    return false;
#endif
}

bool keychainDelete(const QString& key, QString* error)
{
#ifdef GATEHOUSE_HAVE_KEYCHAIN
    QKeychain::DeletePasswordJob job(Service);
    job.setKey(key);
    return run(job, error);
#else
    Q_UNUSED(key);
    *error = QStringLiteral("this build has no keychain support (QtKeychain)");
    return false;
#endif
}

} // namespace gatehouse::cli
