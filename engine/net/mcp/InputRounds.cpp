// SPDX-License-Identifier: GPL-3.0-or-later
#include "InputRounds.h"

#include "JsonRpc.h"

namespace gatehouse {

QList<QJsonObject> InputRounds::start(const QString& call, const QJsonObject& result)
{
    Round round;
    round.requestState = result.value(QStringLiteral("requestState"));
    QList<QJsonObject> asks;
    const QJsonObject inputs = result.value(QStringLiteral("inputRequests")).toObject();
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
        const QString id = QStringLiteral("gh-ask-%1:%2").arg(m_next++).arg(it.key());
        m_asks.insert(jsonrpc::idKey(id), {call, it.key()});
        round.waiting.insert(it.key());
        const QJsonObject ask = it.value().toObject();
        asks.append(jsonrpc::makeRequest(id, ask.value(QStringLiteral("method")).toString(),
                                         ask.value(QStringLiteral("params")).toObject()));
    }
    m_rounds.insert(call, round);
    return asks;
}

QString InputRounds::inputKeyOf(const QJsonValue& askId)
{
    const QString id = askId.toString();
    const qsizetype colon = id.indexOf(u':');
    return id.startsWith(QLatin1String("gh-ask-")) && colon > 0 ? id.mid(colon + 1) : QString();
}

std::optional<InputRounds::Answered> InputRounds::answer(const QJsonObject& response)
{
    const auto ask = m_asks.find(jsonrpc::idKey(response.value(QStringLiteral("id"))));
    if (ask == m_asks.end())
        return std::nullopt;
    const auto [call, input] = *ask;
    m_asks.erase(ask);
    Answered a;
    a.call = call;
    const auto round = m_rounds.find(call);
    if (round == m_rounds.end())
        return a; // the call ended meanwhile: nothing to do
    if (response.contains(QStringLiteral("error"))) {
        const QJsonObject error = response.value(QStringLiteral("error")).toObject();
        a.error = QJsonObject{
            {QStringLiteral("code"), error.value(QStringLiteral("code")).toInt(jsonrpc::InternalError)},
            {QStringLiteral("message"),
             QString(QStringLiteral("the client could not answer the server's question: ") +
                     error.value(QStringLiteral("message")).toString())}};
        m_rounds.erase(round);
        forget(call); // its other questions' answers are of no use now
        return a;
    }
    round->responses.insert(input, response.value(QStringLiteral("result")));
    round->waiting.remove(input);
    a.complete = round->waiting.isEmpty();
    return a;
}

QJsonObject InputRounds::retryParams(const QString& call, QJsonObject params)
{
    const Round round = m_rounds.take(call);
    params.insert(QStringLiteral("inputResponses"), round.responses);
    if (!round.requestState.isUndefined())
        params.insert(QStringLiteral("requestState"), round.requestState);
    return params;
}

void InputRounds::forget(const QString& call)
{
    m_rounds.remove(call);
    m_asks.removeIf([&call](const auto& ask) { return ask.value().first == call; });
}

} // namespace gatehouse
