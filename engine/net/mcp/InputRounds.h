// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <optional>

namespace gatehouse {

// Input-required results of a stateless-era server (MCP 2026-07-28) put to a session-era client. The
// server's result asks for input (elicitation, sampling, roots); the client is asked with one request per
// input, and when every answer is in, the call is sent again with inputResponses (and the server's
// requestState). One object per upstream; calls are named by any key the transport chooses.
class InputRounds
{
public:
    // The requests to send to the client for an input-required result of `call`, each with an id of its own
    // that names its input ("gh-ask-N:KEY"). Empty when the result asks nothing of the client (only state
    // to carry back): retry at once.
    QList<QJsonObject> start(const QString& call, const QJsonObject& result);
    // The input an ask's id names (KEY above), or an empty string for any other id: a stateless client
    // that is asked again gets the server's own keys.
    static QString inputKeyOf(const QJsonValue& askId);

    struct Answered
    {
        QString call;
        bool complete = false; // every input is in: retry with retryParams()
        QJsonObject error;     // the client refused: fail the call with this (code, message)
    };
    // The client's answer to one of those requests; nullopt when it is not one of ours.
    std::optional<Answered> answer(const QJsonObject& response);
    // The call's params for its retry (inputResponses, requestState); forgets the round.
    QJsonObject retryParams(const QString& call, QJsonObject params);
    void forget(const QString& call);

private:
    struct Round
    {
        QJsonObject responses;
        QSet<QString> waiting;
        QJsonValue requestState;
    };
    QHash<QString, Round> m_rounds;                 // by call
    QHash<QString, QPair<QString, QString>> m_asks; // idKey of our request → (call, input key)
    qint64 m_next = 1;
};

} // namespace gatehouse
