// SPDX-License-Identifier: GPL-3.0-or-later
#include "CommandHelp.h"

namespace gatehouse::cli {

namespace {

struct Entry
{
    const char* name;
    const char* synopsis; // one or more lines, as in the overview
    const char* summary;
    const char* options; // for COMMAND --help
};

const Entry Commands[] = {
    {"check", "check POLICY.json", "validate a policy; prints \"valid\" or one line per error",
     "Exit status 0 when valid, 1 with every error (JSON Pointer, line:column, message).\n"},
    {"explain", "explain POLICY.json --tool NAME [--args JSON] [--grant LABEL] [--calls N] [--approve]",
     "print the decision of N successive calls of a tool",
     "  --tool NAME        the tool called\n"
     "  --args JSON        its arguments, a JSON object (default {})\n"
     "  --grant LABEL      the caller's grant, for \"scope\": \"grant\" limits\n"
     "  --session ID       the session, for \"scope\": \"session\" limits\n"
     "  --calls N          how many successive calls (default 1)\n"
     "  --every SECONDS    time between them\n"
     "  --at TIME          time of the first call, ISO 8601 UTC\n"
     "  --approve          a person allows calls that need approval\n"},
    {"serve",
     "serve [--policy FILE] [--listen HOST:PORT] [--token T | --no-auth] [--stdio] -- COMMAND [ARGS...]",
     "run the proxy in front of an MCP server started as COMMAND",
     "  --policy FILE                 the policy (watched: saving applies it)\n"
     "  --listen HOST:PORT            where clients connect (default 127.0.0.1:8731; port 0: any free one)\n"
     "  --token TOKEN | --no-auth     the bearer token clients send (default: GATEHOUSE_TOKEN, which ps\n"
     "                                does not show, or a new one); --no-auth on loopback only, unless\n"
     "                                --no-auth-on-network-anyone-can-call-tools\n"
     "  --stdio                       speak MCP on stdin/stdout instead of HTTP\n"
     "  --name NAME                   the server's name in /mcp/NAME (default \"default\")\n"
     "  --upstream URL                an HTTP upstream instead of -- COMMAND\n"
     "  --header 'NAME: VALUE'        a header for the HTTP upstream (repeatable)\n"
     "  --header-secret 'NAME: SECRET' a header whose value is a secret (see gatehouse secrets)\n"
     "  --preset rolli|rolli-sandbox  Rolli's real server (token from the keychain) or the sandbox\n"
     "  --config FILE                 servers and grants (default $XDG_CONFIG_HOME/gatehouse/config.json)\n"
     "  --upstream-timeout SECONDS    how long an upstream may take to answer (default 120)\n"
     "  --audit FILE                  the audit database; --audit-arguments keeps full arguments\n"
     "  --audit-failure refuse|continue  when the audit log cannot be written (default refuse)\n"
     "  --audit-retention-days N, --audit-retention-rows N  how much audit history to keep\n"
     "  --approvals FILE              approvals kept across requests and restarts (default: beside\n"
     "                                the audit database)\n"
     "  --approvals-listen HOST:PORT  approval pages (only) on this address too, e.g. for a phone on\n"
     "                                the same network; the links point there\n"
     "  --counters memory|redis://HOST:PORT/DB  where rate-limit counts live (shared in Redis)\n"
     "  --counters-failure closed|open  calls with limits while Redis is unreachable (default closed)\n"
     "  --admin-token TOKEN, --admin-file FILE  the admin API for gatehouse approvals\n"
     "  --pins FILE | --no-pins       tool pinning (default $XDG_DATA_HOME/gatehouse/pins.json)\n"},
    {"whatif", "whatif DRAFT.json [--since TIME] [--server NAME] [--db FILE] [--format text|json]",
     "replay the audit history against a draft policy: which calls would be decided differently",
     "  --since TIME       only calls at or after this ISO 8601 time\n"
     "  --server NAME      only this server's calls\n"
     "  --db FILE          the audit database (default $XDG_DATA_HOME/gatehouse/audit.sqlite)\n"
     "  --format text|json the report's form\n"
     "Exit status 0 when nothing would change, 1 when something would, 2 on bad input.\n"},
    {"approvals", "approvals list | approve ID [--session|--always] | deny ID [--always] [--note TEXT]",
     "answer calls a running proxy holds for a person",
     "  --session          allow for the rest of the caller's session\n"
     "  --always           write the answer into the policy\n"
     "  --note TEXT        a note for the audit log\n"
     "  --admin-file FILE  a proxy's admin.json; repeat for several proxies (the answer goes to the one\n"
     "                     holding the call)\n"},
    {"audit",
     "audit verify | show APPROVAL-ID | export --format jsonl|csv [--since T] [--grant G] [--tool T] [--db "
     "FILE]",
     "check the audit log's hash chain, tell one approval's story, or export the log",
     "  --db FILE          the audit database (default $XDG_DATA_HOME/gatehouse/audit.sqlite)\n"
     "  --format jsonl|csv the export format\n"
     "  --since TIME       only calls at or after this ISO 8601 time\n"
     "  --grant LABEL      only this grant's calls\n"
     "  --tool NAME        only this tool's calls\n"
     "  --approvals FILE   show: the approvals file (default: beside the audit database)\n"},
    {"grants", "grants add LABEL --server NAME [--policy FILE] | list | revoke LABEL",
     "labelled tokens for agents; the token is shown once",
     "  --server NAME      the server the grant may call\n"
     "  --policy FILE      a policy of its own for this grant\n"
     "  --config FILE      the configuration file\n"},
    {"servers",
     "servers list | add NAME -- COMMAND... | add NAME --url URL | remove NAME\n"
     "          | import --from claude|cursor|vscode [--dry-run] [NAME...] | unguard NAME",
     "the configured servers; guard a client's own servers and give them back",
     "  --env NAME=VALUE   a variable for the command (repeatable)\n"
     "  --cwd DIR          its working folder\n"
     "  --url URL          a Streamable HTTP server instead of -- COMMAND\n"
     "  --header 'K: V'    a header for it (repeatable)\n"
     "  --policy FILE      its policy (default: a starter policy in the data folder)\n"
     "  --from CLIENT      import: claude, cursor or vscode\n"
     "  --file FILE        import: the client's configuration file (default: its usual place)\n"
     "  --dry-run          import: show the change, write nothing\n"
     "  --config FILE      the configuration file\n"
     "Credentials (authorization, token, key, secret… headers and variables) go to the keychain.\n"},
    {"pins", "pins list [SERVER] | show SERVER TOOL | accept SERVER (TOOL | --all) | forget SERVER",
     "review tool definitions held back because they changed since they were pinned",
     "  --pins FILE        the pins file (default $XDG_DATA_HOME/gatehouse/pins.json)\n"
     "  --all              accept every held tool of the server\n"},
    {"rolli", "rolli token set | clear | status",
     "keep the Rolli API token in the keychain (set reads it from stdin);\n"
     "                           serve --preset rolli then runs npx -y @rolli/mcp with it",
     ""},
    {"secrets", "secrets set NAME | clear NAME | status NAME",
     "keep an upstream credential in the keychain (set reads it from stdin);\n"
     "                           a server's header or variable names it as {\"secret\": \"NAME\"}",
     "Where no keychain exists, GATEHOUSE_SECRET_NAME (upper-cased, other characters as _) gives it.\n"},
    {"sandbox", "sandbox [--seed N]",
     "the Rolli sandbox: Rolli's 30 tools on synthetic data, an MCP server on stdio",
     "  --seed N           seed of the synthetic data\n"
     "  GATEHOUSE_SANDBOX_RUG_PULL=1 in the environment: get_usage's description carries hidden\n"
     "                     instructions (to try tool pinning)\n"},
    {"scan", "scan [--output FILE] (--upstream URL | -- COMMAND [ARGS...])",
     "list any MCP server's tools and write a starter policy from guessed risk classes",
     "  --output FILE            where to write the starter policy\n"
     "  --upstream URL           an HTTP server instead of -- COMMAND\n"
     "  --header 'NAME: VALUE'   a header for it (repeatable)\n"},
    {"gui", "gui [--policy FILE] [--listen HOST:PORT] [-- COMMAND [ARGS...]]",
     "the desktop app (the default with a display and no command)",
     "  --policy FILE            the policy of the served server\n"
     "  --listen HOST:PORT       where clients connect (default 127.0.0.1:8731)\n"
     "  --upstream URL           an HTTP upstream instead of -- COMMAND\n"
     "  --preset rolli|rolli-sandbox  Rolli's real server or the sandbox (the default)\n"
     "  --config FILE            servers and grants\n"
     "  --audit FILE             the audit database\n"
     "  --approvals FILE         approvals kept across restarts (default: beside the audit database)\n"
     "  --approvals-listen HOST:PORT  approval pages (only) on this address too (links point there)\n"
     "  --minimized              start in the tray\n"
     "  --new-instance           run beside a running app instead of raising it\n"},
    {"connect", "connect [URL] [--token T]",
     "bridge stdio to a running Gatehouse (for clients that launch a command)",
     "  --token TOKEN            the bearer token (default: GATEHOUSE_TOKEN)\n"
     "  --install claude|cursor|vscode  write the entry into that client's MCP configuration instead\n"
     "  --config-file FILE       that configuration file (default: the client's own)\n"
     "  --dry-run                show the change without writing it\n"},
};

} // namespace

QString overviewHelp()
{
    QString out =
        QStringLiteral("Gatehouse " GATEHOUSE_VERSION " - decides every MCP tool call before it runs.\n\n"
                       "usage: gatehouse COMMAND [OPTIONS]    (gatehouse COMMAND --help for its options)\n\n"
                       "commands:\n");
    for (const Entry& e : Commands) {
        const QString synopsis = QString::fromUtf8(e.synopsis);
        out += QStringLiteral("  ") + synopsis;
        if (synopsis.size() < 25)
            out += QString(25 - synopsis.size(), u' ');
        else
            out += QStringLiteral("\n") + QString(27, u' ');
        out += QString::fromUtf8(e.summary) + u'\n';
    }
    out += QStringLiteral("  help                     this text\n"
                          "  --version                print the version\n");
    return out;
}

QString commandHelp(const QString& command)
{
    for (const Entry& e : Commands) {
        if (command != QLatin1String(e.name))
            continue;
        QString summary = QString::fromUtf8(e.summary);
        summary.replace(QString(27, u' '), QString());
        QString out =
            QStringLiteral("usage: gatehouse %1\n\n%2.\n").arg(QString::fromUtf8(e.synopsis), summary);
        if (*e.options)
            out += u'\n' + QString::fromUtf8(e.options);
        return out + QStringLiteral("\nMore in gatehouse(1).\n");
    }
    return {};
}

bool asksForHelp(const QStringList& args)
{
    for (const QString& a : args) {
        if (a == u"--")
            return false;
        if (a == u"--help" || a == u"-h")
            return true;
    }
    return false;
}

} // namespace gatehouse::cli
