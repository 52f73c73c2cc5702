// SPDX-License-Identifier: GPL-3.0-or-later
// A real MCP client (the official TypeScript SDK) that runs one scenario and prints its findings as one
// JSON object on stdout. The QtTest driver (tst_proxy_e2e) starts Gatehouse and asserts on the output.
//
//   node client.mjs SCENARIO --http URL [--token T]
//   node client.mjs SCENARIO --stdio COMMAND [ARGS...]
//   node client.mjs SCENARIO --direct COMMAND [ARGS...]      (no proxy: the upstream itself)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const [scenario, mode, ...rest] = process.argv.slice(2);

function transportFor() {
  if (mode === "--http") {
    const url = rest[0];
    const tokenAt = rest.indexOf("--token");
    const headers = tokenAt >= 0 ? { Authorization: `Bearer ${rest[tokenAt + 1]}` } : {};
    return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  }
  if (mode === "--stdio" || mode === "--direct") {
    return new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  }
  throw new Error(`unknown mode ${mode}`);
}

async function connect() {
  const client = new Client(
    { name: "gatehouse-e2e", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => ({
    action: "accept",
    content: { name: "Ada Lovelace", check: true },
  }));
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    role: "assistant",
    model: "e2e-model",
    content: { type: "text", text: `sampled: ${request.params.messages[0].content.text}` },
  }));
  await client.connect(transportFor());
  return client;
}

function describeError(e) {
  return { code: e.code ?? null, message: String(e.message ?? e) };
}

const call_ = (...a) => call(...a);
async function call(client, name, args, options = {}) {
  try {
    return { result: await client.callTool({ name, arguments: args }, undefined, options) };
  } catch (e) {
    return { error: describeError(e) };
  }
}

const scenarios = {
  // What the proxy lets through must be exactly what the server said.
  async basic(client) {
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    const echo = await call(client, "echo", { message: "hello through gatehouse" });
    const sum = await call(client, "get-sum", { a: 2, b: 3 });
    const structured = await call(client, "get-structured-content", { location: "New York" });
    return { tools, echo, sum, structured };
  },
  async policy(client) {
    const hidden = await call(client, "get-env", {});
    const denied = await call(client, "get-tiny-image", {});
    const limited = [];
    for (let i = 0; i < 4; i++) limited.push(await call(client, "echo", { message: `call ${i}` }));
    return { hidden, denied, limited };
  },
  async progress(client) {
    const progress = [];
    const r = await call(client, "trigger-long-running-operation", { duration: 1.5, steps: 3 }, {
      onprogress: (p) => progress.push(p),
    });
    return { progress, result: r };
  },
  async elicitation(client) {
    return { elicit: await call(client, "trigger-elicitation-request", {}) };
  },
  async sampling(client) {
    return { sample: await call(client, "trigger-sampling-request", { prompt: "say hi", maxTokens: 10 }) };
  },
  // Edits the policy file the proxy watches (E2E_POLICY_FILE) to hide "echo", and waits for the
  // proxy to say the tool list changed.
  async listChanged(client) {
    const file = process.env.E2E_POLICY_FILE;
    // The server itself may announce list changes (after initialize); only one after the edit counts.
    let edited = false;
    let notifyAfterEdit;
    const changed = new Promise((ok) => (notifyAfterEdit = ok));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => edited && notifyAfterEdit(true));
    const before = (await client.listTools()).tools.map((t) => t.name);
    await new Promise((r) => setTimeout(r, 500)); // let the HTTP client's GET stream settle
    const policy = JSON.parse(readFileSync(file, "utf8"));
    policy.hide = [...(policy.hide ?? []), "echo"];
    edited = true;
    writeFileSync(file, JSON.stringify(policy, null, 2) + "\n");
    const notified = await Promise.race([changed, new Promise((r) => setTimeout(() => r(false), 8000))]);
    const after = (await client.listTools()).tools.map((t) => t.name);
    const call = await call_(client, "echo", { message: "hidden now?" });
    return { notified, before, after, call };
  },
  // Tool pinning: E2E_TOOL is held back (absent from the list, refused when called); the command in
  // E2E_ACCEPT (a JSON array) accepts it; the proxy says the list changed and the tool works again.
  async pinRelease(client) {
    const tool = process.env.E2E_TOOL;
    let notifyAfterAccept;
    let accepted = false;
    const changed = new Promise((ok) => (notifyAfterAccept = ok));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => accepted && notifyAfterAccept(true));
    const before = (await client.listTools()).tools.map((t) => t.name);
    const refused = await call(client, tool, {});
    await new Promise((r) => setTimeout(r, 500)); // let the HTTP client's GET stream settle
    const [program, ...args] = JSON.parse(process.env.E2E_ACCEPT);
    accepted = true;
    const acceptOutput = execFileSync(program, args, { encoding: "utf8" });
    const notified = await Promise.race([changed, new Promise((r) => setTimeout(() => r(false), 8000))]);
    const listed = (await client.listTools()).tools;
    const after = listed.map((t) => t.name);
    const description = listed.find((t) => t.name === tool)?.description ?? null;
    const released = await call(client, tool, {});
    return { before, refused, acceptOutput, notified, after, description, released };
  },
  // Calls E2E_TOOL with E2E_ARGS (JSON) E2E_TIMES times in a row, counting progress notifications.
  async callTool(client) {
    const name = process.env.E2E_TOOL;
    const args = JSON.parse(process.env.E2E_ARGS ?? "{}");
    const results = [];
    for (let i = 0; i < Number(process.env.E2E_TIMES ?? 1); i++) {
      const progress = [];
      const started = Date.now();
      const r = await call(client, name, args, { onprogress: (p) => progress.push(p), timeout: 120000 });
      results.push({ ...r, progress, ms: Date.now() - started });
    }
    return { results };
  },
  // Calls E2E_TOOL and gives up on it after E2E_ABORT_MS.
  async abortCall(client) {
    const controller = new AbortController();
    setTimeout(() => controller.abort("the agent gave up"), Number(process.env.E2E_ABORT_MS ?? 1500));
    const r = await call(client, process.env.E2E_TOOL, JSON.parse(process.env.E2E_ARGS || '{}'),
                         { signal: controller.signal });
    await new Promise((done) => setTimeout(done, 500)); // let the cancellation reach the proxy
    return { aborted: r };
  },
  // Starts E2E_TOOL and exits after E2E_ABORT_MS without a word: the connection just closes.
  async vanish(client) {
    call(client, process.env.E2E_TOOL, {});
    await new Promise((done) => setTimeout(done, Number(process.env.E2E_ABORT_MS ?? 1500)));
    process.exit(0);
  },
  // Calls echo with "call-N" for N = 1, 2, … until something fails, printing "got call-N" as each
  // answer arrives (the audit durability test kills the proxy meanwhile).
  async stream(client) {
    for (let i = 1; ; i++) {
      const r = await call(client, "echo", { message: `call-${i}` });
      if (!r.result) return { stoppedAt: i, error: r.error };
      process.stdout.write(`got call-${i}\n`);
    }
  },
  // The Rolli sandbox, tool family by tool family.
  async rolli(client) {
    const out = {};
    const data = (r) => r.result?.structuredContent;
    const text = (r) => r.result?.content?.[0]?.text ?? r.error?.message;
    const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
    out.tools = (await client.listTools()).tools.map((t) => t.name).sort();
    out.badArgument = text(await call(client, "get_agent_run", { id: "not-a-uuid" }));
    out.unknownArgument = text(await call(client, "get_usage", { months: "2026-01" }));
    // Searches spend credits.
    const search = await call(client, "keyword_search", { query: "gatehouse", platforms: ["reddit"], max_post: 5 });
    out.searchPosts = data(search)?.posts?.length;
    out.searchId = data(search)?.id;
    out.topics = data(await call(client, "get_topic_tree", { search_id: out.searchId }))?.topics?.length;
    await call(client, "expert_search", { query: "policy engines" });
    out.usage = data(await call(client, "get_usage", {}));
    // Runs: pending -> running -> completed / waiting / failed.
    const started = data(await call(client, "start_agent_run", { question: "How was the launch received?", available_credits: 1 }));
    out.startedStatus = started.status;
    await sleep(3500);
    const finished = data(await call(client, "get_agent_run", { id: started.id }));
    out.finishedStatus = finished.status;
    out.rerunFinished = finished.status === "completed" ? text(await call(client, "rerun_agent_run", { id: started.id })) : text(await call(client, "rerun_agent_run", { id: started.id }));
    // Cancel marks failed; delete only completed or failed; deleted runs are hidden.
    const second = data(await call(client, "start_agent_run", { question: "Another one", available_credits: 1 }));
    out.deletePending = text(await call(client, "delete_agent_run", { id: second.id }));
    out.cancelled = data(await call(client, "cancel_agent_run", { id: second.id }))?.status;
    out.deleteFailed = data(await call(client, "delete_agent_run", { id: second.id }))?.deleted;
    out.getDeleted = text(await call(client, "get_agent_run", { id: second.id }));
    out.listed = data(await call(client, "list_agent_runs", {}))?.items?.map((r) => r.id);
    out.secondId = second.id;
    // Credits run out: 12 run credits, two runs of 1 spent above; 4 + 4 = 8 more, then 4 is too many.
    const a = data(await call(client, "start_agent_run", { question: "A", available_credits: 4 }));
    const b = data(await call(client, "start_agent_run", { question: "B", available_credits: 4 }));
    const c = data(await call(client, "start_agent_run", { question: "C", available_credits: 4 }));
    await sleep(1300);
    out.creditsStatuses = [];
    for (const r of [a, b, c]) out.creditsStatuses.push(data(await call(client, "get_agent_run", { id: r.id })));
    // Schedules.
    const sched = data(await call(client, "create_agent_schedule", { name: "Daily pulse", question: "What changed?", recurrence_type: "daily", recurrence_time: "09:00", recurrence_timezone: "UTC", starts_at: "2026-01-01T00:00:00Z" }));
    out.scheduleNext = sched.next_run_at;
    out.scheduleUpdatedNext = data(await call(client, "update_agent_schedule", { id: sched.id, recurrence_time: "18:30" }))?.next_run_at;
    out.pausedNext = data(await call(client, "pause_agent_schedule", { id: sched.id }))?.next_run_at ?? null;
    out.resumedNext = data(await call(client, "resume_agent_schedule", { id: sched.id }))?.next_run_at;
    out.scheduleRuns = data(await call(client, "list_agent_schedule_runs", { id: sched.id }))?.items?.length;
    out.scheduleDeleted = text(await call(client, "delete_agent_schedule", { id: sched.id }));
    out.scheduleGone = text(await call(client, "get_agent_schedule", { id: sched.id }));
    return out;
  },
  // rerun_agent_run on a fresh run E2E_TIMES times, through a proxy with the recommended policy.
  async rerunLoop(client) {
    const run = (await call(client, "start_agent_run", { question: "Loop", available_credits: 1 })).result?.structuredContent;
    await new Promise((done) => setTimeout(done, 100));
    const results = [];
    for (let i = 0; i < Number(process.env.E2E_TIMES ?? 11); i++) {
      const r = await call(client, "rerun_agent_run", { id: run.id });
      results.push(r.result?.content?.[0]?.text ?? r.error?.message);
    }
    const hidden = await call(client, "delete_agent_schedule", { id: run.id });
    const tools = (await client.listTools()).tools.map((t) => t.name);
    return { results, hidden, tools };
  },
  // A call slower than the proxy's --upstream-timeout.
  async slow(client) {
    const started = Date.now();
    const slow = await call(client, "trigger-long-running-operation", { duration: 4, steps: 2 });
    const ms = Date.now() - started;
    const after = await call(client, "echo", { message: "after the timeout" });
    return { slow, ms, after };
  },
  async cancel(client) {
    const controller = new AbortController();
    const pending = call(client, "trigger-long-running-operation", { duration: 4, steps: 4 }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 700));
    controller.abort("the test changed its mind");
    const cancelled = await pending;
    // The session goes on working after a cancellation.
    const after = await call(client, "echo", { message: "still here" });
    return { cancelled, after };
  },
};

const client = await connect();
let output;
try {
  output = await scenarios[scenario](client);
} catch (e) {
  output = { fatal: describeError(e) };
}
process.stdout.write(JSON.stringify(output) + "\n");
await client.close();
process.exit(0);
