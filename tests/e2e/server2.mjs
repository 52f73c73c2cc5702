// SPDX-License-Identifier: GPL-3.0-or-later
// An MCP server of the split SDK 2.x that speaks only the stateless era (2026-07-28; initialize gets
// -32022), over Streamable HTTP on 127.0.0.1:$PORT, or over stdio with the argument "stdio". The same tool names as the e2e policy expects of
// server-everything, plus "deploy", which asks the client to confirm through an input-required result
// (elicitation), and "slow", which reports progress. Stops when stdin closes.
import http from "node:http";
import { acceptedContent, createMcpHandler, inputRequired, McpServer } from "@modelcontextprotocol/server";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import * as z from "zod/v4";

const text = (t) => ({ content: [{ type: "text", text: t }] });
const build = () => {
  const s = new McpServer({ name: "modern-server", version: "2.0.0" }, { capabilities: { tools: { listChanged: true } } });
  s.registerTool("echo", { description: "Echoes its message", inputSchema: z.object({ message: z.string() }) },
    async ({ message }) => text(`Echo: ${message}`));
  s.registerTool("get-tiny-image", { description: "A tiny image" }, async () => text("(an image)"));
  s.registerTool("get-env", { description: "The environment" }, async () => text("PATH=…"));
  s.registerTool("get-sum", { description: "Adds", inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => text(`The sum of ${a} and ${b} is ${a + b}.`));
  // Its region is mirrored in an Mcp-Param-Region header, which this server checks against the body.
  s.registerTool("regional", {
    description: "Runs in a region",
    inputSchema: z.object({ region: z.string().meta({ "x-mcp-header": "Region" }) }),
  }, async ({ region }) => text(`ran in ${region}`));
  s.registerTool("deploy", { description: "Deploys after the user confirms", inputSchema: z.object({ env: z.string() }) },
    async ({ env }, ctx) => {
      const confirmationSchema = z.object({ confirm: z.boolean() });
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, "confirm", confirmationSchema);
      if (confirmed?.confirm !== true)
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: `Deploy to ${env}?`, requestedSchema: confirmationSchema }) },
        });
      return text(`deployed to ${env}`);
    });
  return s;
};
if (process.argv.includes("stdio")) {
  serveStdio(build, { legacy: "reject" });
} else {
  const node = toNodeHandler(createMcpHandler(build, { legacy: "reject" }));
  const server = http.createServer((req, res) => void node(req, res));
  server.listen(Number(process.env.PORT), "127.0.0.1", () =>
    process.stderr.write(`server2 listening on ${server.address().port}\n`));
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
