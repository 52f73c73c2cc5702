// SPDX-License-Identifier: GPL-3.0-or-later
// An agent as the official TypeScript SDK runs one at its default options (a request gives up after
// 60 s), that does what Gatehouse tells it: a call waiting for a person is answered "call again"; it
// waits and calls again with the same arguments, reconnecting when the proxy went away meanwhile.
// Prints one JSON line per attempt, then {"final": …}.
// Usage: node retrying-agent.mjs URL TOKEN TOOL ARGUMENTS-JSON [MAX-WAIT-SECONDS-BETWEEN-CALLS]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, token, tool, args, maxWait] = process.argv.slice(2);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const deadline = Date.now() + 10 * 60 * 1000;

async function connect() {
  const client = new Client({ name: 'retrying-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

let client = null;
for (let attempt = 1; Date.now() < deadline; attempt++) {
  const started = Date.now();
  try {
    client ??= await connect();
    const result = await client.callTool({ name: tool, arguments: JSON.parse(args) });
    const approval = result._meta?.['gatehouse/approval'];
    console.log(JSON.stringify({ attempt, ms: Date.now() - started, approval, isError: !!result.isError }));
    if (approval?.status !== 'pending') {
      console.log(JSON.stringify({ final: result }));
      break;
    }
    const wait = Math.min(approval.retryAfterSeconds, Number(maxWait ?? 1e9));
    await sleep(wait * 1000);
  } catch (e) {
    // Gatehouse restarted (its session is gone) or is not back yet: connect again, as a host would.
    console.log(JSON.stringify({ attempt, ms: Date.now() - started, error: String(e) }));
    try { await client?.close(); } catch {}
    client = null;
    await sleep(1000);
  }
}
await client?.close();
