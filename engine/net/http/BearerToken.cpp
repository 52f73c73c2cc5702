// SPDX-License-Identifier: GPL-3.0-or-later
#include "BearerToken.h"

#include <QRandomGenerator>

namespace gatehouse {

QByteArray bearerToken(const HttpRequest& request)
{
    const QByteArray auth = request.header("authorization");
    if (auth.size() < 7 || auth.left(7).toLower() != "bearer ")
        return {};
    return auth.mid(7).trimmed();
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

QByteArray randomBytes(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(raw.data()), bytes / 4);
    return raw;
}

QByteArray randomToken(int bytes)
{
    return randomBytes(std::max(16, (bytes + 3) / 4 * 4))
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace gatehouse
