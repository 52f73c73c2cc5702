// SPDX-License-Identifier: GPL-3.0-or-later
// Proxy benchmark: the same echo calls through five paths to server-everything (stdio), in one run:
//   (a) directly over stdio            (b) Gatehouse, stdio in and out     (c) Gatehouse, HTTP in
//   (d) supergateway, HTTP in          (e) mcp-proxy, HTTP in
// For each: 5,000 sequential calls on one client, then 8 concurrent clients x 1,000 calls. Prints
// calls/s, p50 and p99, the proxy's CPU time and peak memory per 1,000 calls, and the ratios.
//
//   node bench.mjs --gatehouse PATH [--sequential N] [--clients N] [--per-client N]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const e2e = resolve(here, "../../tests/e2e");
import http from "node:http";
import { createInterface } from "node:readline";

// Lean MCP clients, the same for every path, so that the figures are the proxies' and not a client
// library's: JSON-RPC over newline-delimited stdio, or Streamable HTTP over one keep-alive connection
// per client (answers read as JSON or as an event stream, whichever the server sends).
const initialize = {
  jsonrpc: "2.0", id: 0, method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "gatehouse-bench", version: "1" } },
};

class StdioClient {
  constructor(command, args) {
    this.proc = spawn(command, args, { stdio: ["pipe", "pipe", "ignore"] });
    this.pid = this.proc.pid;
    this.pending = new Map();
    this.next = 1;
    createInterface({ input: this.proc.stdout }).on("line", (line) => {
      const m = JSON.parse(line);
      const done = this.pending.get(m.id);
      if (done) { this.pending.delete(m.id); done(m); }
    });
  }
  request(method, params, id = this.next++) {
    return new Promise((ok) => {
      this.pending.set(id, ok);
      this.proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }
  async connect() {
    await this.request("initialize", initialize.params);
    this.proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
  }
  close() { this.proc.stdin.end(); this.proc.kill("SIGTERM"); }
}

class HttpClient {
  constructor(url) {
    this.url = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.next = 1;
    this.session = undefined;
  }
  post(body) {
    return new Promise((ok, fail) => {
      const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
      if (this.session) { headers["Mcp-Session-Id"] = this.session; headers["MCP-Protocol-Version"] = "2025-06-18"; }
      const req = http.request({ host: this.url.hostname, port: this.url.port, path: this.url.pathname, method: "POST", agent: this.agent, headers }, (res) => {
        if (res.headers["mcp-session-id"]) this.session = res.headers["mcp-session-id"];
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (data += c));
        res.on("end", () => {
          if (res.statusCode === 202) return ok(null);
          if ((res.headers["content-type"] || "").startsWith("text/event-stream")) {
            const events = data.split(/\n\n/).map((e) => e.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n")).filter(Boolean);
            const messages = events.map((e) => JSON.parse(e));
            return ok(messages.find((m) => m.id === body.id) ?? messages.at(-1));
          }
          ok(JSON.parse(data));
        });
      });
      req.on("error", fail);
      req.end(JSON.stringify(body));
    });
  }
  request(method, params) { return this.post({ jsonrpc: "2.0", id: this.next++, method, params }); }
  async connect() {
    await this.post(initialize);
    await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
  }
  close() { this.agent.destroy(); }
}

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const gatehouse = resolve(opt("gatehouse", resolve(here, "../../build/app/gatehouse")));
const sequential = Number(opt("sequential", 5000));
const clients = Number(opt("clients", 8));
const perClient = Number(opt("per-client", 1000));
const node = process.execPath;
const everything = `${e2e}/node_modules/@modelcontextprotocol/server-everything/dist/index.js`;
const allowAll = `${e2e}/policy-allow-all.json`;
const loopback = `${e2e}/bind-loopback.cjs`;
const bin = (name) => `${e2e}/node_modules/.bin/${name}`;
const ticks = 100; // USER_HZ on Linux
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
const scratch = mkdtempSync(`${tmpdir()}/gatehouse-bench-`);
let scratchN = 0;
const isolated = () => ["--audit", `${scratch}/audit-${++scratchN}.sqlite`, "--admin-file", `${scratch}/admin-${scratchN}.json`];

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

// CPU seconds (user + system) and peak resident memory of one process, from /proc.
function usage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = (Number(fields[11]) + Number(fields[12])) / ticks;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return { cpu, peakKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return { cpu: 0, peakKb: 0 };
  }
}

async function waitForPort(port, ms = 20000) {
  const { connect } = await import("node:net");
  const start = Date.now();
  while (Date.now() - start < ms) {
    const ok = await new Promise((r) => {
      const c = connect(port, "127.0.0.1", () => { c.end(); r(true); });
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

// The five paths. Each yields a way to make a connected client, and the pid of the proxy, if any.
const paths = {
  "a direct stdio": async () => ({
    connect: () => new StdioClient(node, [everything, "stdio"]),
  }),
  "b gatehouse stdio": async () => ({
    connect: () => new StdioClient(gatehouse, ["serve", "--stdio", "--policy", allowAll, ...isolated(), "--", node, everything, "stdio"]),
    proxyOfTransport: true,
  }),
  "c gatehouse http": async () => {
    const port = await freePort();
    const proc = spawn(gatehouse, ["serve", "--no-auth", "--policy", allowAll, "--listen", `127.0.0.1:${port}`, ...isolated(), "--", node, everything, "stdio"], { stdio: "ignore" });
    await waitForPort(port);
    return { proc, connect: () => new HttpClient(`http://127.0.0.1:${port}/mcp`) };
  },
  "d supergateway http": async () => {
    const port = await freePort();
    const proc = spawn(node, ["--require", loopback, bin("supergateway"), "--stdio", `${node} ${everything} stdio`, "--outputTransport", "streamableHttp", "--stateful", "--port", String(port), "--logLevel", "none"], { stdio: "ignore" });
    await waitForPort(port);
    return { proc, connect: () => new HttpClient(`http://127.0.0.1:${port}/mcp`) };
  },
  "e mcp-proxy http": async () => {
    const port = await freePort();
    const proc = spawn(node, ["--require", loopback, bin("mcp-proxy"), "--host", "127.0.0.1", "--port", String(port), "--", node, everything, "stdio"], { stdio: "ignore" });
    await waitForPort(port);
    return { proc, connect: () => new HttpClient(`http://127.0.0.1:${port}/mcp`) };
  },
};

async function client(path) {
  const c = path.connect();
  await c.connect();
  return { c, transport: c };
}

async function calls(c, n, latencies) {
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const r = await c.request("tools/call", { name: "echo", arguments: { message: `bench ${i}` } });
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!r?.result || r.result.isError) throw new Error(`echo failed: ${JSON.stringify(r)}`);
  }
}

function stats(latencies, seconds) {
  const s = [...latencies].sort((x, y) => x - y);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, rate: s.length / seconds, p50: at(0.5), p99: at(0.99) };
}

async function measure(name) {
  const path = await paths[name]();
  const result = { name };
  // Sequential.
  {
    const { c, transport } = await client(path);
    const pid = path.proc?.pid ?? (path.proxyOfTransport ? transport.pid : undefined);
    await calls(c, 50, []); // warm up
    const before = pid ? usage(pid) : null;
    const lat = [];
    const t = process.hrtime.bigint();
    await calls(c, sequential, lat);
    result.sequential = stats(lat, Number(process.hrtime.bigint() - t) / 1e9);
    if (pid) {
      const after = usage(pid);
      result.cpuMsPer1000 = ((after.cpu - before.cpu) * 1000) / (sequential / 1000);
      result.peakMb = after.peakKb / 1024;
    }
    await c.close();
  }
  // Concurrent clients.
  {
    const connected = await Promise.all(Array.from({ length: clients }, () => client(path)));
    await Promise.all(connected.map(({ c }) => calls(c, 20, [])));
    const lat = [];
    const t = process.hrtime.bigint();
    await Promise.all(connected.map(({ c }) => calls(c, perClient, lat)));
    result.concurrent = stats(lat, Number(process.hrtime.bigint() - t) / 1e9);
    await Promise.all(connected.map(({ c }) => c.close()));
  }
  path.proc?.kill("SIGTERM");
  return result;
}

const fmt = (x, d = 2) => (x === undefined ? "-" : x.toFixed(d));
const results = {};
console.log(`Gatehouse proxy benchmark: echo on server-everything (stdio), ${sequential} sequential calls, ${clients} clients x ${perClient} concurrent`);
console.log(`${"path".padEnd(20)} ${"seq calls/s".padStart(11)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} | ${"8x calls/s".padStart(10)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} | ${"proxy CPU ms/1000".padStart(17)} ${"peak MB".padStart(8)}`);
for (const name of Object.keys(paths)) {
  const r = await measure(name);
  results[name[0]] = r;
  console.log(`${name.padEnd(20)} ${fmt(r.sequential.rate, 0).padStart(11)} ${fmt(r.sequential.p50, 3).padStart(7)} ${fmt(r.sequential.p99, 3).padStart(7)} | ${fmt(r.concurrent.rate, 0).padStart(10)} ${fmt(r.concurrent.p50, 3).padStart(7)} ${fmt(r.concurrent.p99, 3).padStart(7)} | ${fmt(r.cpuMsPer1000, 1).padStart(17)} ${fmt(r.peakMb, 1).padStart(8)}`);
}
const { a, b, c, d, e } = results;
console.log("");
console.log(`(b) adds ${fmt(b.sequential.p50 - a.sequential.p50, 3)} ms at p50 over (a) sequentially (goal <= 0.3 ms), ${fmt(b.concurrent.p50 - a.concurrent.p50, 3)} ms with ${clients} clients`);
console.log(`(c) throughput vs (d) supergateway: ${fmt(c.concurrent.rate / d.concurrent.rate)}x concurrent, ${fmt(c.sequential.rate / d.sequential.rate)}x sequential (goal >= 2x); p99 ${fmt(c.concurrent.p99, 3)} vs ${fmt(d.concurrent.p99, 3)} ms`);
console.log(`(c) throughput vs (e) mcp-proxy:    ${fmt(c.concurrent.rate / e.concurrent.rate)}x concurrent, ${fmt(c.sequential.rate / e.sequential.rate)}x sequential (goal >= 2x); p99 ${fmt(c.concurrent.p99, 3)} vs ${fmt(e.concurrent.p99, 3)} ms`);
process.exit(0);
