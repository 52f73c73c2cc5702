// SPDX-License-Identifier: GPL-3.0-or-later
// A client of the split SDK 2.x (@modelcontextprotocol/client), for the tests of both MCP eras:
//   node client2.mjs SCENARIO --http URL [--token T] [--mode auto|legacy|modern]
//   node client2.mjs SCENARIO [--mode …] --stdio COMMAND ARG…   (a server started as a child, on stdio)
// "modern" pins 2026-07-28 (no fallback), "auto" probes server/discover and falls back, "legacy" does the
// 2025 handshake. Prints one JSON line with what happened.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const args = process.argv.slice(2);
const scenario = args[0];
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = option("--http");
const stdio = args.indexOf("--stdio") >= 0 ? args.slice(args.indexOf("--stdio") + 1) : null;
const token = option("--token");
const modeName = option("--mode") ?? "auto";
const mode = modeName === "modern" ? { pin: "2026-07-28" } : modeName;

function describeError(e) {
  return { code: e.code ?? null, message: String(e.message ?? e) };
}
async function call(client, name, args, options = {}) {
  try {
    return { result: await client.callTool({ name, arguments: args }, options) };
  } catch (e) {
    return { error: describeError(e) };
  }
}

const scenarios = {
  // The era the client ended up in, the tools it sees, and three decisions.
  async basic(client) {
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    const echo = await call(client, "echo", { message: "hello from SDK 2" });
    const denied = await call(client, "get-tiny-image", {});
    const hidden = await call(client, "get-env", {});
    return { tools, echo, denied, hidden };
  },
  // Five echoes in a row: the policy's limit of 3 bites whatever the era.
  async limited(client) {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await call(client, "echo", { message: `n${i}` }));
    return { results };
  },
  // get-sum needs a person: the call waits until the test answers it through gatehouse approvals.
  async approval(client) {
    return { sum: await call(client, "get-sum", { a: 2, b: 3 }, { timeout: 60000 }) };
  },
  // "regional" mirrors its region argument in an Mcp-Param-Region header the server checks.
  async regional(client) {
    await client.listTools();
    return { regional: await call(client, "regional", { region: "eu-west" }) };
  },
  // "deploy" asks the client to confirm (an input-required result, or an elicitation request in the
  // session era); this client confirms.
  async deploy(client) {
    const asked = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { confirm: true } };
    });
    return { deploy: await call(client, "deploy", { env: "staging" }), asked };
  },
  // A slow call with progress, then one given up on after 500 ms (the stream is closed: a cancel).
  async progressAndCancel(client) {
    const progress = [];
    const slow = await call(client, "trigger-long-running-operation", { duration: 1, steps: 2 }, {
      onprogress: (p) => progress.push(p),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort("the agent gave up"), 500);
    const aborted = await call(client, "trigger-long-running-operation", { duration: 5, steps: 5 }, {
      signal: controller.signal,
    });
    return { progress, slow, aborted };
  },
};

const client = new Client(
  { name: "e2e-sdk2", version: "1.0.0" },
  { versionNegotiation: { mode }, capabilities: { elicitation: {} } },
);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
let output;
try {
  await client.connect(
    stdio
      ? new StdioClientTransport({ command: stdio[0], args: stdio.slice(1), env: process.env, stderr: "inherit" })
      : new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  output = {
    era: client.getProtocolEra?.() ?? null,
    version: client.getNegotiatedProtocolVersion?.() ?? null,
    ...(await scenarios[scenario](client)),
  };
} catch (e) {
  output = { failed: describeError(e) };
}
process.stdout.write(JSON.stringify(output) + "\n");
await client.close().catch(() => {});
process.exit(0);
