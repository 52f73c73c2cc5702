// SPDX-License-Identifier: GPL-3.0-or-later
// An MCP server (the official SDK, stdio) that misbehaves on request, for the fault tests:
//   echo   answers at once          crash  exits mid-call (the process dies, no answer)
//   hang   never answers            slow   answers after `ms` milliseconds
// Each start prints "fault-server started" on stderr, so a test can count restarts.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "fault-server", version: "1.0.0" });
const text = (t) => ({ content: [{ type: "text", text: t }] });
server.tool("echo", { message: z.string() }, async ({ message }) => text(message));
server.tool("crash", {}, async () => {
  process.stderr.write("fault-server crashing\n");
  process.exit(3);
});
server.tool("hang", {}, (_args, extra) => new Promise(() => {
  // Never answers; says so when the client (Gatehouse) cancels it.
  extra.signal.addEventListener("abort", () => process.stderr.write("fault-server: hang cancelled\n"));
}));
server.tool("slow", { ms: z.number() }, async ({ ms }) => {
  await new Promise((r) => setTimeout(r, ms));
  return text(`slept ${ms} ms`);
});
process.stderr.write("fault-server started\n");
await server.connect(new StdioServerTransport());
