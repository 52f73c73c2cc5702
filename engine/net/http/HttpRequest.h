// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace gatehouse {

// One parsed HTTP/1.1 request. Header names are lower-cased.
struct HttpRequest
{
    QByteArray method;
    QByteArray path; // without the query string
    QByteArray query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    // The first value of a header, or a null QByteArray.
    QByteArray header(const QByteArray& lowerName) const;
    int headerCount(const QByteArray& lowerName) const;
};

struct HttpHeaders
{
    QList<QPair<QByteArray, QByteArray>> list;
    HttpHeaders& add(const QByteArray& name, const QByteArray& value)
    {
        list.append({name, value});
        return *this;
    }
};

QByteArray httpReasonPhrase(int status);

} // namespace gatehouse
