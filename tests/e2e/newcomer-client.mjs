// SPDX-License-Identifier: GPL-3.0-or-later
// What a newcomer's agent does, with the official TypeScript SDK at its default options: connect over
// Streamable HTTP with the bearer token, list the tools, call one. Prints one JSON line.
// Usage: node newcomer-client.mjs URL TOKEN TOOL [ARGUMENTS-JSON]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, token, tool, args] = process.argv.slice(2);
const client = new Client({ name: 'newcomer', version: '1.0.0' });
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  const result = await client.callTool({ name: tool, arguments: JSON.parse(args || '{}') });
  console.log(JSON.stringify({ tools: tools.map((t) => t.name), result }));
  await client.close();
} catch (e) {
  console.log(JSON.stringify({ fatal: String(e) }));
  process.exitCode = 1;
}
