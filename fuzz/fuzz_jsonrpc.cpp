// SPDX-License-Identifier: GPL-3.0-or-later
// The JSON-RPC message reader on arbitrary bytes (what every POST body and stdio line goes through):
// every input is classified, and a valid message survives encoding and reading again.
#include "mcp/JsonRpc.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace gatehouse::jsonrpc;
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const Message m = parse(input);
    if (m.kind == Kind::Invalid) {
        if (m.errorCode != ParseError && m.errorCode != InvalidRequest)
            std::abort();
        return 0;
    }
    const Message again = parse(encode(m.object));
    if (again.kind != m.kind || again.object != m.object)
        std::abort();
    (void)idKey(m.id());
    return 0;
}
