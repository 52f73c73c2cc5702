// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpRequest.h"

namespace gatehouse {

// The token of an "Authorization: Bearer …" header, or empty.
QByteArray bearerToken(const HttpRequest& request);
// Compares secrets in time that does not depend on where they differ.
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);
// `bytes` bytes (a multiple of 4) from the system's secure random source.
QByteArray randomBytes(int bytes);
// A fresh random token of `bytes` bytes (at least 16), URL-safe base64.
QByteArray randomToken(int bytes = 24);

} // namespace gatehouse
