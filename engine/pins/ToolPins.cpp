// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolPins.h"

#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

namespace gatehouse {

namespace {
const QString Fields[] = {QStringLiteral("name"),         QStringLiteral("title"),
                          QStringLiteral("description"),  QStringLiteral("inputSchema"),
                          QStringLiteral("outputSchema"), QStringLiteral("annotations")};

QString iso(const QDateTime& t)
{
    return t.toUTC().toString(Qt::ISODate);
}
} // namespace

ToolPins::ToolPins(QString path, QObject* parent)
    : QObject(parent)
    , m_path(std::move(path))
{
    connect(&m_watch, &QFileSystemWatcher::fileChanged, this, &ToolPins::reloadFromDisk);
    connect(&m_watch, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (QFileInfo::exists(m_path) && !m_watch.files().contains(m_path))
            reloadFromDisk();
    });
}

QString ToolPins::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/gatehouse/pins.json");
}

QJsonObject ToolPins::definition(const QJsonObject& tool)
{
    QJsonObject d;
    for (const QString& f : Fields)
        if (tool.contains(f))
            d.insert(f, tool.value(f));
    return d;
}

QString ToolPins::sha256(const QJsonObject& tool)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(JsonWriter::canonical(definition(tool)), QCryptographicHash::Sha256)
            .toHex());
}

bool ToolPins::load(QString* error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    m_watch.addPath(QFileInfo(m_path).absolutePath());
    QFile f(m_path);
    if (!f.exists()) {
        m_servers.clear();
        return true;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_path, f.errorString());
        return false;
    }
    const QByteArray bytes = f.readAll();
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parse);
    const QJsonObject root = doc.object();
    if (parse.error != QJsonParseError::NoError || !doc.isObject() ||
        root.value(u"version").toString() != u"1" || !root.value(u"servers").isObject()) {
        *error = QStringLiteral("%1 is not a pins file (version \"1\" with \"servers\"): %2")
                     .arg(m_path, parse.error ? parse.errorString() : QStringLiteral("unexpected content"));
        return false;
    }
    QHash<QString, Server> loaded;
    const QJsonObject servers = root.value(u"servers").toObject();
    for (auto s = servers.begin(); s != servers.end(); ++s) {
        Server& server = loaded[s.key()];
        const QJsonObject tools = s.value()[QStringLiteral("tools")].toObject();
        for (auto t = tools.begin(); t != tools.end(); ++t) {
            const QJsonObject pin = t.value().toObject();
            const QJsonObject def = pin.value(u"definition").toObject();
            // The hash is recomputed: an edited file cannot pin a definition under someone else's hash.
            server.pins.insert(
                t.key(),
                {sha256(def), def, QDateTime::fromString(pin.value(u"pinned").toString(), Qt::ISODate)});
        }
        const QJsonObject held = s.value()[QStringLiteral("held")].toObject();
        for (auto t = held.begin(); t != held.end(); ++t) {
            const QJsonObject h = t.value().toObject();
            Review r;
            r.server = s.key();
            r.tool = t.key();
            r.seen = h.value(u"definition").toObject();
            r.seenSha256 = sha256(r.seen);
            r.seenAt = QDateTime::fromString(h.value(u"seen").toString(), Qt::ISODate);
            r.pinned = server.pins.value(t.key()).definition;
            r.flags = checkToolDefinition(r.seen);
            server.held.insert(t.key(), r);
        }
    }
    m_servers = std::move(loaded);
    m_lastWritten = bytes;
    m_watch.addPath(m_path);
    return true;
}

void ToolPins::setHoldNewTools(const QString& server, bool hold)
{
    if (hold)
        m_pinNewOnSight.remove(server);
    else
        m_pinNewOnSight.insert(server);
}

QJsonArray ToolPins::screen(const QString& server, const QJsonArray& tools)
{
    const bool firstSight = !m_servers.contains(server);
    if (firstSight && tools.isEmpty())
        return tools; // nothing to trust yet
    Server& s = m_servers[server];
    const QDateTime now = QDateTime::currentDateTimeUtc();
    bool changed = false;
    bool heldChanged = false;
    QJsonArray visible;
    int known = 0;
    for (const QJsonValue& v : tools) {
        const QJsonObject tool = v.toObject();
        const QString name = tool.value(u"name").toString();
        const QString hash = sha256(tool);
        const auto pin = s.pins.constFind(name);
        known += pin != s.pins.constEnd() ? 1 : 0;
        if (firstSight || (pin == s.pins.constEnd() && !holdsNewTools(server))) {
            s.pins.insert(name, {hash, definition(tool), now});
            changed = true;
            visible.append(tool);
        } else if (pin != s.pins.constEnd() && pin->sha256 == hash) {
            if (s.held.remove(name) > 0) // changed back to what was approved
                changed = heldChanged = true;
            visible.append(tool);
        } else if (s.held.value(name).seenSha256 != hash) {
            Review r;
            r.server = server;
            r.tool = name;
            r.pinned = pin != s.pins.constEnd() ? pin->definition : QJsonObject();
            r.seen = definition(tool);
            r.seenSha256 = hash;
            r.seenAt = now;
            r.flags = checkToolDefinition(r.seen);
            s.held.insert(name, r);
            changed = heldChanged = true;
            emit logLine(
                QStringLiteral("%1: tool %2 %3; held until a person reviews it%4")
                    .arg(server, name,
                         r.isNew() ? QStringLiteral("is new") : QStringLiteral("changed since it was pinned"),
                         r.flags.isEmpty()
                             ? QString()
                             : QStringLiteral(" (suspicious: %1)").arg(r.flags.first().reason)));
        }
    }
    if (!firstSight && known == 0 && heldChanged)
        emit logLine(
            QStringLiteral("%1: none of its tools are among those pinned for it; if the name now stands "
                           "for a different server, start afresh with: gatehouse pins forget %1")
                .arg(server));
    if (firstSight)
        emit logLine(
            QStringLiteral("%1: pinned %2 tool definitions on first sight").arg(server).arg(s.pins.size()));
    QString error;
    if (changed && !save(&error))
        emit logLine(QStringLiteral("cannot save tool pins: ") + error);
    if (heldChanged)
        emit reviewsChanged(server);
    return visible;
}

bool ToolPins::isHeld(const QString& server, const QString& tool) const
{
    const auto s = m_servers.constFind(server);
    if (s == m_servers.constEnd())
        return false;
    // A tool no listing showed was never put before the model: the upstream answers for it as it sees fit.
    return s->held.contains(tool);
}

QList<ToolPins::Review> ToolPins::reviews(const QString& server) const
{
    QList<Review> out;
    for (auto s = m_servers.cbegin(); s != m_servers.cend(); ++s)
        if (server.isEmpty() || s.key() == server)
            for (const Review& r : s->held)
                out.append(r);
    std::sort(out.begin(), out.end(), [](const Review& a, const Review& b) {
        return std::tie(a.server, a.tool) < std::tie(b.server, b.tool);
    });
    return out;
}

int ToolPins::pinnedCount(const QString& server) const
{
    return int(m_servers.value(server).pins.size());
}

bool ToolPins::accept(const QString& server, const QString& tool, QString* error)
{
    const auto s = m_servers.find(server);
    if (s == m_servers.end() || !s->held.contains(tool)) {
        *error = QStringLiteral("no held definition of %1 on %2").arg(tool, server);
        return false;
    }
    const Review r = s->held.take(tool);
    s->pins.insert(tool, {r.seenSha256, r.seen, QDateTime::currentDateTimeUtc()});
    if (!save(error))
        return false;
    emit logLine(QStringLiteral("%1: tool %2 accepted as it is now").arg(server, tool));
    emit reviewsChanged(server);
    return true;
}

bool ToolPins::forget(const QString& server, QString* error)
{
    if (m_servers.remove(server) == 0) {
        *error = QStringLiteral("no pins for %1").arg(server);
        return false;
    }
    if (!save(error))
        return false;
    emit reviewsChanged(server);
    return true;
}

QJsonObject ToolPins::toJson() const
{
    QJsonObject servers;
    for (auto s = m_servers.cbegin(); s != m_servers.cend(); ++s) {
        QJsonObject tools;
        for (auto p = s->pins.cbegin(); p != s->pins.cend(); ++p)
            tools.insert(p.key(), QJsonObject{{QStringLiteral("sha256"), p->sha256},
                                              {QStringLiteral("pinned"), iso(p->pinnedAt)},
                                              {QStringLiteral("definition"), p->definition}});
        QJsonObject held;
        for (auto h = s->held.cbegin(); h != s->held.cend(); ++h)
            held.insert(h.key(), QJsonObject{{QStringLiteral("sha256"), h->seenSha256},
                                             {QStringLiteral("seen"), iso(h->seenAt)},
                                             {QStringLiteral("definition"), h->seen}});
        servers.insert(s.key(),
                       QJsonObject{{QStringLiteral("tools"), tools}, {QStringLiteral("held"), held}});
    }
    return {{QStringLiteral("version"), QStringLiteral("1")}, {QStringLiteral("servers"), servers}};
}

bool ToolPins::save(QString* error)
{
    // Another process (gatehouse pins accept) may have written since: its acceptances count.
    QFile current(m_path);
    if (current.open(QIODevice::ReadOnly) && current.readAll() != m_lastWritten) {
        current.close();
        const auto mine = m_servers;
        QString why;
        if (load(&why)) {
            for (auto s = mine.cbegin(); s != mine.cend(); ++s) {
                Server& merged = m_servers[s.key()];
                for (auto p = s->pins.cbegin(); p != s->pins.cend(); ++p)
                    if (!merged.pins.contains(p.key()))
                        merged.pins.insert(p.key(), *p);
                for (auto h = s->held.cbegin(); h != s->held.cend(); ++h)
                    if (merged.pins.value(h.key()).sha256 != h->seenSha256)
                        merged.held.insert(h.key(), *h);
            }
        }
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    const QByteArray bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return false;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(bytes);
    if (!f.commit()) {
        *error = f.errorString();
        return false;
    }
    m_lastWritten = bytes;
    m_watch.addPath(m_path); // a replaced file is a new inode
    return true;
}

void ToolPins::reloadFromDisk()
{
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly) || f.readAll() == m_lastWritten) {
        m_watch.addPath(m_path);
        return;
    }
    f.close();
    const QStringList before = m_servers.keys();
    QString error;
    if (!load(&error)) {
        emit logLine(QStringLiteral("tool pins: %1; keeping the pins in memory").arg(error));
        return;
    }
    QSet<QString> servers(before.begin(), before.end());
    for (const QString& s : m_servers.keys())
        servers.insert(s);
    for (const QString& s : std::as_const(servers))
        emit reviewsChanged(s);
}

} // namespace gatehouse
