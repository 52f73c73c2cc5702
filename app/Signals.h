// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QObject;

namespace gatehouse::cli {

// SIGINT and SIGTERM quit the event loop from a safe place (a socket pair); SIGPIPE is ignored.
void quitOnTerminationSignals(QObject* context);

} // namespace gatehouse::cli
