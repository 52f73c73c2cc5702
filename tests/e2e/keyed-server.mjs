// SPDX-License-Identifier: GPL-3.0-or-later
// An MCP server over Streamable HTTP (the official SDK, stateless) that answers only requests carrying
// X-Api-Key: $KEYED_SERVER_KEY, like a hosted server with an API key. It logs every header it saw
// (values hashed) so a test can check what reached it. Binds 127.0.0.1:$PORT; stops when stdin closes.
import http from "node:http";
import { createHash } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const key = process.env.KEYED_SERVER_KEY;
const httpServer = http.createServer(async (req, res) => {
  if (!key || req.headers["x-api-key"] !== key) {
    process.stderr.write(`keyed-server: refused (X-Api-Key ${req.headers["x-api-key"] ? "wrong" : "missing"})\n`);
    res.writeHead(401, { "Content-Type": "application/json" }).end('{"error":"invalid API key"}');
    return;
  }
  const hash = createHash("sha256").update(req.headers["x-api-key"]).digest("hex").slice(0, 12);
  process.stderr.write(`keyed-server: ${req.method} with key sha256:${hash}\n`);
  const server = new McpServer({ name: "keyed-server", version: "1.0.0" });
  server.tool("whoami", "Says that the key was accepted.", {}, async () => ({
    content: [{ type: "text", text: "key accepted" }],
  }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
});
httpServer.listen(Number(process.env.PORT), "127.0.0.1", () =>
  process.stderr.write(`keyed-server listening on ${httpServer.address().port}\n`));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
