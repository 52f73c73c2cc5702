// SPDX-License-Identifier: GPL-3.0-or-later
// A host on the official TypeScript SDK (1.x, default options) that declared URL elicitation, as
// 2025-11-25 hosts do: a call answered -32042 (URL elicitation required) hands its person the link,
// waits for notifications/elicitation/complete, then makes the same call again.
// Prints {"elicitation": {...}} when it is handed a link, {"completed": ID} when told, then {"final": …}.
// Usage: node link-agent.mjs URL TOKEN TOOL ARGUMENTS-JSON
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitationCompleteNotificationSchema,
  UrlElicitationRequiredError,
} from '@modelcontextprotocol/sdk/types.js';

const [url, token, tool, args] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));

const client = new Client(
  { name: 'link-agent', version: '1.0.0' },
  { capabilities: { elicitation: { url: {} } } },
);
const completed = new Map(); // elicitationId -> resolve
client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => {
  out({ completed: n.params.elicitationId });
  completed.get(n.params.elicitationId)?.();
});
await client.connect(
  new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  }),
);
out({ protocolVersion: client.transport.protocolVersion ?? null });

for (let attempt = 1; attempt <= 5; attempt++) {
  try {
    const result = await client.callTool({ name: tool, arguments: JSON.parse(args) });
    out({ final: result, attempt });
    break;
  } catch (e) {
    if (!(e instanceof UrlElicitationRequiredError)) {
      out({ final: { error: String(e), code: e.code ?? null }, attempt });
      break;
    }
    const [elicitation] = e.elicitations;
    const done = new Promise((resolve) => completed.set(elicitation.elicitationId, resolve));
    out({ elicitation, message: e.message, attempt });
    await done; // the person answers on the page (or in Gatehouse); then the call is made again
  }
}
await client.close();
