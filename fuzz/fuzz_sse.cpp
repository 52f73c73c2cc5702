// SPDX-License-Identifier: GPL-3.0-or-later
// The Server-Sent Events parser (upstream streams) on arbitrary bytes, fed whole and in pieces split at
// input-chosen points: the events must not depend on how the bytes arrived.
#include "mcp/SseParser.h"

#include <cstdlib>

namespace {
bool same(const QList<gatehouse::SseParser::Event>& a, const QList<gatehouse::SseParser::Event>& b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id)
            return false;
    return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    gatehouse::SseParser whole;
    const QList<gatehouse::SseParser::Event> all = whole.feed(input);

    // Split points from the first byte: a different cut for each input.
    gatehouse::SseParser pieces;
    QList<gatehouse::SseParser::Event> collected;
    const int step = size ? 1 + data[0] % 7 : 1;
    for (qsizetype at = 0; at < input.size(); at += step)
        collected += pieces.feed(input.mid(at, step));
    if (!same(all, collected) || whole.lastEventId() != pieces.lastEventId())
        std::abort();
    return 0;
}
