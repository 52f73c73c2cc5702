// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace gatehouse::cli {

// gatehouse gui [--config FILE] [--policy FILE] [--listen HOST:PORT] [--audit FILE]
//               [--upstream URL | -- COMMAND [ARGS...]]
// The desktop app with the proxy inside it. With nothing configured it guards the Rolli sandbox with
// the recommended Rolli policy (a copy the person can edit). Needs a QApplication.
int gui(const QStringList& args);

} // namespace gatehouse::cli
