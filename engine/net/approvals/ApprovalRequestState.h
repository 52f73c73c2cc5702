// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <optional>

namespace gatehouse {

// The requestState Gatehouse hands a 2026-07-28 client with an input-required result while a person
// decides its call: which approval it waits on, for which call, until when; signed (HMAC-SHA256 under
// the approvals file's key) so that what comes back on the retry is what was given out. The client
// holds it; nothing is stored. Format: "gh-approval." BASE64URL(JSON) "." BASE64URL(HMAC).
struct ApprovalRequestState
{
    QString approvalId;
    QString server;
    QString tool;
    QString grant;
    QString argumentsHash;
    QDateTime expires;

    static constexpr char Prefix[] = "gh-approval.";
    static bool isOurs(const QString& requestState)
    {
        return requestState.startsWith(QLatin1StringView(Prefix));
    }

    QString seal(const QByteArray& key) const;
    // The state a retry brought back, if it is one Gatehouse gave out under `key` and has not expired;
    // else nothing, and why (for the client: forged or tampered, expired, unreadable).
    static std::optional<ApprovalRequestState> open(const QString& requestState, const QByteArray& key,
                                                    const QDateTime& now, QString* why);
};

} // namespace gatehouse
