// SPDX-License-Identifier: GPL-3.0-or-later
// The policy reader and validator on arbitrary bytes: no crash, no hang, and whatever it accepts
// writes back canonically to a policy it accepts again, identically.
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const gatehouse::PolicyLoad load = gatehouse::PolicyParser::parse(input);
    if (!load.policy)
        return 0;
    const QByteArray written = gatehouse::PolicyWriter::toJson(*load.policy);
    const gatehouse::PolicyLoad again = gatehouse::PolicyParser::parse(written);
    if (!again.policy || gatehouse::PolicyWriter::toJson(*again.policy) != written)
        std::abort(); // the round trip must be exact
    return 0;
}
