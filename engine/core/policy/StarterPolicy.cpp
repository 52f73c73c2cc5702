// SPDX-License-Identifier: GPL-3.0-or-later
#include "StarterPolicy.h"

#include "PolicyParser.h"
#include "PolicyWriter.h"
#include "RiskGuess.h"
#include "ToolCatalogue.h"
#include "base/PrivateFiles.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonObject>
#include <QSaveFile>

namespace gatehouse {

Policy starterPolicy(const QJsonArray& tools, const QString& source, QStringList* guesses)
{
    QList<ToolInfo> classified;
    QStringList notes;
    for (const QJsonValue& t : tools) {
        ToolInfo info;
        info.name = t.toObject().value(QStringLiteral("name")).toString();
        if (info.name.isEmpty())
            continue;
        const RiskGuess g = guessRiskClass(t.toObject());
        info.riskClass = g.riskClass;
        notes << QStringLiteral("%1: %2 (%3)").arg(info.name, g.riskClass, g.reason);
        classified << info;
    }
    Policy policy = recommendedPolicy(classified);
    policy.description =
        QStringLiteral(
            "Starter policy from the tools of %1 on %2. Risk classes are GUESSES; review each: %3.")
            .arg(source, QDateTime::currentDateTimeUtc().toString(Qt::ISODate),
                 notes.join(QStringLiteral("; ")));
    if (guesses)
        *guesses = notes;
    return policy;
}

bool writeStarterPolicy(const QString& path, const QJsonArray& tools, const QString& source, QString* error)
{
    if (QFileInfo::exists(path)) {
        *error = QStringLiteral("%1 exists already; it was left as it is").arg(path);
        return false;
    }
    const QByteArray json = PolicyWriter::toJson(starterPolicy(tools, source));
    if (!PolicyParser::parse(json).policy) {
        *error = QStringLiteral("the starter policy did not validate");
        return false;
    }
    privatefiles::ensureFolder(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

} // namespace gatehouse
