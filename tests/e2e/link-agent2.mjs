// SPDX-License-Identifier: GPL-3.0-or-later
// A 2026-07-28 host on the split SDK 2.x (@modelcontextprotocol/client, default options, the era pinned)
// that declared URL elicitation: a call that needs a person comes back input-required with a link; the
// SDK hands it to this host's elicitation handler, which shows it ({"elicitation": …} on stdout) and
// waits for its person to say they are done (a line on stdin); the SDK then retries with the
// requestState it was given, as the protocol says. Prints {"final": …} with the call's result.
// Usage: node link-agent2.mjs URL TOKEN TOOL ARGUMENTS-JSON
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import readline from "node:readline";

const [url, token, tool, args] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const client = new Client(
  { name: "link-agent2", version: "1.0.0" },
  { versionNegotiation: { mode: { pin: "2026-07-28" } }, capabilities: { elicitation: { url: {} } } },
);
let rounds = 0;
client.setRequestHandler("elicitation/create", async (request) => {
  rounds++;
  out({ elicitation: request.params, round: rounds });
  await lines.next(); // the person opened the link and came back
  return { action: "accept" };
});
try {
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  out({ version: client.getNegotiatedProtocolVersion?.() ?? null });
  out({ final: await client.callTool({ name: tool, arguments: JSON.parse(args) }), rounds });
} catch (e) {
  out({ final: { error: String(e.message ?? e), code: e.code ?? null }, rounds });
}
await client.close().catch(() => {});
process.exit(0);
