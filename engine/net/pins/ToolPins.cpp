// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolPins.h"

#include "base/PrivateFiles.h"

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
    privatefiles::ensureFolder(QFileInfo(m_path).absolutePath());
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
    const QString version = root.value(u"version").toString();
    if (parse.error != QJsonParseError::NoError || !doc.isObject() || (version != u"1" && version != u"2") ||
        !root.value(u"servers").isObject()) {
        *error = QStringLiteral("%1 is not a pins file (version \"2\" with \"servers\"): %2")
                     .arg(m_path, parse.error ? parse.errorString() : QStringLiteral("unexpected content"));
        return false;
    }
    QHash<QString, Server> loaded;
    const QJsonObject servers = root.value(u"servers").toObject();
    for (auto s = servers.begin(); s != servers.end(); ++s) {
        // Version 1 kept one record per label, with no identity; version 2 a list of identities.
        const QJsonArray records = s.value().isArray() ? s.value().toArray() : QJsonArray{s.value()};
        for (const QJsonValue& value : records) {
            const QJsonObject record = value.toObject();
            const QString identity = record.value(u"identity").toString();
            Server& server = loaded[key(s.key(), identity)];
            server.label = s.key();
            server.identity = identity;
            const QJsonObject tools = record.value(u"tools").toObject();
            for (auto t = tools.begin(); t != tools.end(); ++t) {
                const QJsonObject pin = t.value().toObject();
                const QJsonObject def = pin.value(u"definition").toObject();
                // The hash is recomputed: an edited file cannot pin a definition under someone else's hash.
                server.pins.insert(
                    t.key(),
                    {sha256(def), def, QDateTime::fromString(pin.value(u"pinned").toString(), Qt::ISODate)});
            }
            const QJsonObject held = record.value(u"held").toObject();
            for (auto t = held.begin(); t != held.end(); ++t) {
                const QJsonObject h = t.value().toObject();
                Review r;
                r.server = s.key();
                r.identity = identity;
                r.tool = t.key();
                r.seen = h.value(u"definition").toObject();
                r.seenSha256 = sha256(r.seen);
                r.seenAt = QDateTime::fromString(h.value(u"seen").toString(), Qt::ISODate);
                r.pinned = server.pins.value(t.key()).definition;
                r.flags = checkToolDefinition(r.seen);
                server.held.insert(t.key(), r);
            }
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

QString ToolPins::identity(const QString& commandOrUrl, const QString& serverInfoName)
{
    return serverInfoName.isEmpty() ? commandOrUrl
                                    : commandOrUrl + QStringLiteral(" (serverInfo: ") + serverInfoName + u')';
}

QString ToolPins::key(const QString& label, const QString& identity)
{
    return label + QChar(0x1f) + identity;
}

// The record a listing is screened against, or null on first sight. A record written before identities
// were kept is taken over by the first identity whose listing shares a tool name with it; any other
// listing under that label is a different server, seen for the first time.
ToolPins::Server* ToolPins::current(const QString& label, const QString& identity, const QJsonArray& tools)
{
    const QString k = key(label, identity);
    if (const auto it = m_servers.find(k); it != m_servers.end())
        return &*it;
    const auto legacy = m_servers.find(key(label, {}));
    if (identity.isEmpty() || legacy == m_servers.end())
        return nullptr;
    const bool shares = std::any_of(tools.begin(), tools.end(), [&](const QJsonValue& t) {
        return legacy->pins.contains(t.toObject().value(u"name").toString());
    });
    if (!shares)
        return nullptr;
    Server adopted = legacy.value();
    m_servers.erase(legacy);
    adopted.identity = identity;
    for (Review& r : adopted.held)
        r.identity = identity;
    return &m_servers.insert(k, adopted).value();
}

QJsonArray ToolPins::screen(const QString& server, const QJsonArray& tools, const QString& identity)
{
    m_lastIdentity.insert(server, identity);
    const bool hadRecord = m_servers.contains(key(server, identity));
    Server* existing = current(server, identity, tools);
    const bool firstSight = !existing;
    if (firstSight && tools.isEmpty())
        return tools; // nothing to trust yet
    const bool othersUnderLabel =
        firstSight &&
        std::any_of(m_servers.cbegin(), m_servers.cend(), [&](const Server& s) { return s.label == server; });
    Server& s = existing ? *existing : m_servers[key(server, identity)];
    s.label = server;
    s.identity = identity;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    bool changed = existing && !hadRecord; // an old record taken over: written with its identity
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
            r.identity = identity;
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
        emit logLine(QStringLiteral("%1: pinned %2 tool definitions on first sight%3")
                         .arg(server)
                         .arg(s.pins.size())
                         .arg(othersUnderLabel
                                  ? QStringLiteral(" (a different server from the one pinned before under "
                                                   "this name: %1)")
                                        .arg(identity.isEmpty() ? QStringLiteral("unknown") : identity)
                                  : QString()));
    if (heldChanged && !s.held.isEmpty())
        // Said where the person looks: their agent only sees a shorter list.
        emit logLine(QStringLiteral("%1: %2 of its %3 tools are held for review and not shown to clients; "
                                    "see them with: gatehouse pins list %1 (or Review… in the app)")
                         .arg(server)
                         .arg(s.held.size())
                         .arg(tools.size()));
    QString error;
    if (changed && !save(&error))
        emit logLine(QStringLiteral("cannot save tool pins: ") + error);
    if (heldChanged)
        emit reviewsChanged(server);
    return visible;
}

const ToolPins::Server* ToolPins::recordFor(const QString& label, const QString& identity) const
{
    if (identity.isEmpty() && !m_lastIdentity.contains(label))
        return nullptr;
    const QString id = identity.isEmpty() ? m_lastIdentity.value(label) : identity;
    const auto it = m_servers.constFind(key(label, id));
    return it == m_servers.constEnd() ? nullptr : &*it;
}

bool ToolPins::isHeld(const QString& server, const QString& tool, const QString& identity) const
{
    // A tool no listing showed was never put before the model: the upstream answers for it as it sees fit.
    if (!identity.isEmpty() || m_lastIdentity.contains(server)) {
        const Server* s = recordFor(server, identity);
        return s && s->held.contains(tool);
    }
    // Which server the label stands for is not known here: held if any of them holds it (fail closed).
    return std::any_of(m_servers.cbegin(), m_servers.cend(),
                       [&](const Server& s) { return s.label == server && s.held.contains(tool); });
}

bool ToolPins::isPinned(const QString& server) const
{
    return std::any_of(m_servers.cbegin(), m_servers.cend(),
                       [&](const Server& s) { return s.label == server; });
}

QStringList ToolPins::labels() const
{
    QStringList out;
    for (const Server& s : m_servers)
        if (!out.contains(s.label))
            out.append(s.label);
    out.sort();
    return out;
}

QList<QPair<QString, int>> ToolPins::identities(const QString& server) const
{
    QList<QPair<QString, int>> out;
    for (const Server& s : m_servers)
        if (s.label == server)
            out.append({s.identity, int(s.pins.size())});
    std::sort(out.begin(), out.end());
    return out;
}

QList<ToolPins::Review> ToolPins::reviews(const QString& server) const
{
    QList<Review> out;
    for (const Server& s : m_servers) {
        // Under a label screened here, only the server it stands for now: the others are not running.
        const bool running = !m_lastIdentity.contains(s.label) || m_lastIdentity.value(s.label) == s.identity;
        if ((server.isEmpty() || s.label == server) && running)
            for (const Review& r : s.held)
                out.append(r);
    }
    std::sort(out.begin(), out.end(), [](const Review& a, const Review& b) {
        return std::tie(a.server, a.tool, a.identity) < std::tie(b.server, b.tool, b.identity);
    });
    return out;
}

int ToolPins::pinnedCount(const QString& server) const
{
    if (const Server* s = recordFor(server, {}))
        return int(s->pins.size());
    int n = 0;
    for (const Server& s : m_servers)
        n += s.label == server ? int(s.pins.size()) : 0;
    return n;
}

bool ToolPins::accept(const QString& server, const QString& tool, QString* error)
{
    // Under a label that named several servers, the definition seen last is the one a person reviewed.
    Server* holder = nullptr;
    for (Server& s : m_servers)
        if (s.label == server && s.held.contains(tool) &&
            (!holder || s.held.value(tool).seenAt > holder->held.value(tool).seenAt))
            holder = &s;
    if (!holder) {
        *error = QStringLiteral("no held definition of %1 on %2").arg(tool, server);
        return false;
    }
    const Review r = holder->held.take(tool);
    holder->pins.insert(tool, {r.seenSha256, r.seen, QDateTime::currentDateTimeUtc()});
    if (!save(error))
        return false;
    emit logLine(QStringLiteral("%1: tool %2 accepted as it is now").arg(server, tool));
    emit reviewsChanged(server);
    return true;
}

bool ToolPins::forget(const QString& server, QString* error)
{
    if (m_servers.removeIf([&](const auto& it) { return it.value().label == server; }) == 0) {
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
    for (const Server& s : m_servers) {
        QJsonObject tools;
        for (auto p = s.pins.cbegin(); p != s.pins.cend(); ++p)
            tools.insert(p.key(), QJsonObject{{QStringLiteral("sha256"), p->sha256},
                                              {QStringLiteral("pinned"), iso(p->pinnedAt)},
                                              {QStringLiteral("definition"), p->definition}});
        QJsonObject held;
        for (auto h = s.held.cbegin(); h != s.held.cend(); ++h)
            held.insert(h.key(), QJsonObject{{QStringLiteral("sha256"), h->seenSha256},
                                             {QStringLiteral("seen"), iso(h->seenAt)},
                                             {QStringLiteral("definition"), h->seen}});
        QJsonArray records = servers.value(s.label).toArray();
        records.append(QJsonObject{{QStringLiteral("identity"), s.identity},
                                   {QStringLiteral("tools"), tools},
                                   {QStringLiteral("held"), held}});
        servers.insert(s.label, records);
    }
    return {{QStringLiteral("version"), QStringLiteral("2")}, {QStringLiteral("servers"), servers}};
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
                merged.label = s->label;
                merged.identity = s->identity;
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
    QSet<QString> servers;
    for (const Server& s : std::as_const(m_servers))
        servers.insert(s.label);
    QString error;
    if (!load(&error)) {
        emit logLine(QStringLiteral("tool pins: %1; keeping the pins in memory").arg(error));
        return;
    }
    for (const Server& s : std::as_const(m_servers))
        servers.insert(s.label);
    for (const QString& s : std::as_const(servers))
        emit reviewsChanged(s);
}

} // namespace gatehouse
