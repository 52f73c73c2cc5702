// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DescriptionCheck.h"

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

namespace gatehouse {

// Tool pinning, against "rug pulls": a server that shows a harmless tool, is approved, then changes what
// the tool says or does. On first sight of a server's tools, each definition (name, title, description,
// inputSchema, outputSchema, annotations) is pinned by the SHA-256 of its canonical JSON. A later listing
// with a different definition, or a new tool of a pinned server, is held back: left out of tools/list
// and refused when called, until a person accepts it. Pins live in one JSON file (written atomically,
// mode 0600) that the CLI edits too; the file is watched, so an acceptance applies to a running proxy.
// Pins belong to a server's identity (its command line or URL, and the name it gives in serverInfo), not
// to its label: another server under the same label (every ad-hoc `serve -- CMD` is "default") is a first
// sight of its own, while the same server changing a definition is held.
class ToolPins : public QObject
{
    Q_OBJECT
public:
    // A definition waiting for a person.
    struct Review
    {
        QString server; // the label
        QString identity;
        QString tool;
        QJsonObject pinned; // empty for a new tool
        QJsonObject seen;
        QString seenSha256;
        QDateTime seenAt;
        QList<DescriptionFlag> flags;
        bool isNew() const { return pinned.isEmpty(); }
    };

    explicit ToolPins(QString path, QObject* parent = nullptr);

    static QString defaultPath(); // $XDG_DATA_HOME/gatehouse/pins.json
    // The pinned part of a tool and its hash.
    static QJsonObject definition(const QJsonObject& tool);
    static QString sha256(const QJsonObject& tool);
    // A server's identity: how it is reached and the name it gives for itself.
    static QString identity(const QString& commandOrUrl, const QString& serverInfoName);

    // Reads the file (a missing one is empty). False, with why, when it is unreadable or invalid: callers
    // then refuse to serve rather than pin anew (that would wave every change through).
    bool load(QString* error);
    QString path() const { return m_path; }

    // New tools of an already pinned server: held (the default) or pinned on sight.
    void setHoldNewTools(const QString& server, bool hold);
    bool holdsNewTools(const QString& server) const { return !m_pinNewOnSight.contains(server); }

    // Takes a server's tools/list and returns what clients may see, pinning first sightings and holding
    // changed or new definitions (saved, and reviewsChanged emitted, when anything is new).
    QJsonArray screen(const QString& server, const QJsonArray& tools, const QString& identity = {});
    // Whether the tool is held for the server of that identity; with none, for the identity last
    // screened under the label here, or else for any identity under it (fail closed).
    bool isHeld(const QString& server, const QString& tool, const QString& identity = {}) const;
    bool isPinned(const QString& server) const;
    QStringList labels() const;
    // The identities pinned under a label, with how many tools each.
    QList<QPair<QString, int>> identities(const QString& server) const;

    QList<Review> reviews(const QString& server = {}) const;
    // Pins the held definition; false with why when there is none.
    bool accept(const QString& server, const QString& tool, QString* error);
    // Forgets a server's pins: its next listing is pinned as first seen.
    bool forget(const QString& server, QString* error);
    int pinnedCount(const QString& server) const;

signals:
    // Held tools of this server changed (a new review, or one accepted here or in another process):
    // clients should list tools again.
    void reviewsChanged(const QString& server);
    void logLine(const QString& line);

private:
    struct Pin
    {
        QString sha256;
        QJsonObject definition;
        QDateTime pinnedAt;
    };
    struct Server
    {
        QString label;
        QString identity; // empty for pins written before identities were kept
        QHash<QString, Pin> pins;
        QHash<QString, Review> held;
    };
    bool save(QString* error);
    void reloadFromDisk();
    QJsonObject toJson() const;
    static QString key(const QString& label, const QString& identity);
    Server* current(const QString& label, const QString& identity, const QJsonArray& tools);
    // The record of the server a label stands for: the given identity, else the one last screened here.
    const Server* recordFor(const QString& label, const QString& identity) const;

    QString m_path;
    QHash<QString, Server> m_servers;       // by key(label, identity)
    QHash<QString, QString> m_lastIdentity; // by label: the identity last screened here
    QSet<QString> m_pinNewOnSight;
    QFileSystemWatcher m_watch;
    QByteArray m_lastWritten;
};

} // namespace gatehouse
