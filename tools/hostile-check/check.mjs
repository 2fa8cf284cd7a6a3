// Sends the hostile requests of the Step 6 issue to a running local stack (bin/fovea up) and reports, for each,
// the answer (status and message), the time to it, and every service's resident memory before and after
// (read from /proc through the stack's pid files in .fovea/run). Exits 1 when any check fails.
//   node check.mjs [--only NAME,...] [--model LLM.gguf] [--json]
// Every request goes to 127.0.0.1; each loop is bounded in count and time.
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = join(root, ".fovea", "run");
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const asJson = args.includes("--json");
const MB = 1 << 20;

if (!existsSync(join(run, "gateway.port"))) {
  console.error("hostile-check: no local stack in .fovea/run (start one with bin/fovea up)");
  process.exit(2);
}
const services = Object.fromEntries(readdirSync(run).filter(f => f.endsWith(".pid")).map(f => {
  const name = f.slice(0, -4);
  const port = existsSync(join(run, name + ".port")) ? Number(readFileSync(join(run, name + ".port"), "utf8")) : null;
  return [name, { pid: Number(readFileSync(join(run, f), "utf8")), port }];
}));
const gateway = `http://127.0.0.1:${services.gateway.port}`;
const encoderName = Object.keys(services).find(n => n.startsWith("encoder"));
const model = (await (await fetch(`${gateway}/v1/models`)).json()).data[0].id;

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Math.round(Number(m[1]) / 1024);
}
function memory() {
  return Object.fromEntries(Object.entries(services).filter(([n]) => n !== "kafka").map(([n, s]) => [n, rssMb(s.pid)]));
}
const sleep = ms => new Promise(r => setTimeout(r, ms));

// --- gRPC client from this checkout's protos
const protoRoot = join(root, "proto", "src", "main", "proto");
const files = readdirSync(join(protoRoot, "fovea", "v1")).filter(f => f.endsWith(".proto")).map(f => "fovea/v1/" + f);
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(files, { includeDirs: [protoRoot], keepCase: true,
  longs: String, enums: String, defaults: false, oneofs: true })).fovea.v1;
const grpcOptions = { "grpc.max_receive_message_length": 64 * MB, "grpc.max_send_message_length": 64 * MB };
const gatewayGrpc = new pkg.GatewayService(`127.0.0.1:${services.gateway.port}`, grpc.credentials.createInsecure(), grpcOptions);
const jobGrpc = new pkg.JobService(`127.0.0.1:${services.gateway.port}`, grpc.credentials.createInsecure(), grpcOptions);
// grpc-js decodes status messages with decodeURI, which leaves reserved characters percent-encoded (docs/gateway.md)
const plain = text => { try { return decodeURIComponent(text); } catch { return text; } };
const unary = (client, method, request) => new Promise(resolve =>
  client[method](request, { deadline: Date.now() + 30_000 }, (err, res) =>
    resolve(err ? { status: grpc.status[err.code], message: plain(err.details) } : { status: "OK", message: JSON.stringify(res).slice(0, 200) })));

// --- requests
async function http(path, body, { method = "POST", timeoutMs = 30_000 } = {}) {
  const started = performance.now();
  try {
    const res = await fetch(gateway + path, { method, headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)),
      signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { status: res.status, message: text.slice(0, 300), ms: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: "no answer", message: String(e.message ?? e), ms: Math.round(performance.now() - started) };
  }
}
const chat = (content, extra = {}) => ({ model, max_tokens: 4, temperature: 0,
  messages: [{ role: "user", content }], ...extra });
const imagePart = (bytes, mime) => ({ type: "image_url", image_url: { url: `data:${mime};base64,${bytes.toString("base64")}` } });

// A PNG of w×h of one grey level: a few hundred bytes at any size (the rows compress to almost nothing).
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = b => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0;
  const raw = Buffer.alloc((w + 1) * h, 0x80); for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}
// A 30-byte lossless WebP (VP8L) whose header declares w×h and whose 5 data bytes are zero.
function losslessWebp(w, h) {
  const b = Buffer.alloc(30);
  b.write("RIFF", 0); b.writeUInt32LE(22, 4); b.write("WEBP", 8); b.write("VP8L", 12); b.writeUInt32LE(10, 16);
  b[20] = 0x2f;
  const bits = (w - 1) | ((h - 1) << 14); // 14 + 14 bits, then alpha 0 and version 0
  b.writeUInt32LE(bits >>> 0, 21);
  return b;
}
async function job(id, request) {
  const submitted = await http("/v1/jobs", { id, request });
  const started = performance.now();
  let last;
  for (let i = 0; i < 600; i++) { // ≤ 60 s
    last = await http(`/v1/jobs/${id}`, undefined, { method: "GET" });
    if (last.status === 200 && !/"state"\s*:\s*"queued"/.test(last.message)) break;
    await sleep(100);
  }
  return { status: last.status, message: `submit ${submitted.status}; ${last.message}`, ms: Math.round(performance.now() - started) };
}

const sample = JSON.parse(readFileSync(join(root, ".fovea", "sample-request.json"), "utf8"));
// the CLI check runs the LLM file the stack serves: --model FILE, else the default ShapesWorld model's, else the
// generated demo model's
const defaultLlm = () => {
  const trained = join(root, "models", "shapesworld", "shapesworld-a.gguf");
  if (existsSync(trained)) return trained;
  const demo = join(root, "models", "demo");
  return join(demo, existsSync(demo) ? (readdirSync(demo).find(f => f.startsWith("demo-llama")) ?? "") : "");
};
const llmFile = args.includes("--model") ? args[args.indexOf("--model") + 1] : defaultLlm();
const runId = Date.now().toString(36);

// name → [async () => answer, what counts as passing]
const checks = [
  ["max_tokens 1e9 (HTTP)", () => http("/v1/chat/completions", chat("Hello", { max_tokens: 1e9 })), { status: 400, underMs: 1000, llmGrowthMb: 100 }],
  ["max_tokens 2^31-1 (HTTP)", () => http("/v1/chat/completions", chat("Hello", { max_tokens: 2 ** 31 - 1 })), { status: 400, underMs: 1000, llmGrowthMb: 100 }],
  ["max_tokens 1e9 (gRPC Chat)", async () => { const t = performance.now(); const r = await unary(gatewayGrpc, "Chat", { model, max_tokens: 1e9, messages: [{ role: "user", content: [{ text: "Hello" }] }] }); return { ...r, ms: Math.round(performance.now() - t) }; }, { status: "INVALID_ARGUMENT", underMs: 1000, llmGrowthMb: 100 }],
  ["max_tokens 2^31-1 (gRPC Chat)", async () => { const t = performance.now(); const r = await unary(gatewayGrpc, "Chat", { model, max_tokens: 2 ** 31 - 1, messages: [{ role: "user", content: [{ text: "Hello" }] }] }); return { ...r, ms: Math.round(performance.now() - t) }; }, { status: "INVALID_ARGUMENT", underMs: 1000, llmGrowthMb: 100 }],
  ["max_tokens 1e9 (job)", () => job(`hostile-${runId}-1`, chat("Hello", { max_tokens: 1e9 })), { jobState: "rejected", underMs: 5000, llmGrowthMb: 100 }],
  ["max_tokens 2^31-1 (job)", () => job(`hostile-${runId}-2`, chat("Hello", { max_tokens: 2 ** 31 - 1 })), { jobState: "rejected", underMs: 5000, llmGrowthMb: 100 }],
  ["generate -n 1000000000 (CLI)", async () => {
    const t = performance.now();
    const r = spawnSync(join(root, "bin", "fovea"), ["generate", "--model", llmFile, "--prompt", "Hello", "-n", "1000000000", "--quiet"], { encoding: "utf8", timeout: 60_000 });
    return { status: `exit ${r.status}`, message: (r.stderr + r.stdout).trim().slice(0, 300), ms: Math.round(performance.now() - t) };
  }, { exitNonZero: true, noStackTrace: true }],
  ["30-byte 7000x7000 lossless WebP", async () => {
    const r = await http("/v1/chat/completions", chat([{ type: "text", text: "What is this?" }, imagePart(losslessWebp(7000, 7000), "image/webp")]), { timeoutMs: 60_000 });
    const ready = await fetch(`http://127.0.0.1:${services[encoderName].port}/q/health/ready`).then(async x => `${x.status} ${(await x.text()).replace(/\s+/g, " ").slice(0, 300)}`).catch(e => String(e));
    const t = performance.now();
    const next = await http("/v1/chat/completions", sample, { timeoutMs: 60_000 });
    return { ...r, message: `${r.message}\n      encoder readiness right after: ${ready}\n      next valid image request: ${next.status} in ${Math.round(performance.now() - t)} ms`, next: next.status };
  }, { answerUnderMs: 10_000, nextStatus: 200 }],
  ["8 MB text message", () => http("/v1/chat/completions", chat("a ".repeat(4 * MB))), { status4xx: true, everyGrowthMb: 100 }],
  ["50,000 messages", () => http("/v1/chat/completions", { model, max_tokens: 4, messages: Array.from({ length: 50_000 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: "hi" })) }), { status4xx: true, everyGrowthMb: 100 }],
  ["26000x1 PNG", () => http("/v1/chat/completions", chat([{ type: "text", text: "What is this?" }, imagePart(png(26000, 1), "image/png")])), { everyGrowthMb: 100 }],
];

const classNames = /\b(java|javax|jakarta|com\.fasterxml|io\.grpc|io\.vertx|io\.quarkus)\.[A-Za-z]|[A-Z][A-Za-z]+Exception\b/;
let failed = 0;
const report = [];
for (const [name, send, want] of checks) {
  if (only && !only.some(o => name.includes(o))) continue;
  const before = memory();
  const answer = await send();
  await sleep(1500);
  const after = memory();
  const growth = Object.fromEntries(Object.keys(before).map(n => [n, after[n] - before[n]]));
  const problems = [];
  if (want.status !== undefined && answer.status !== want.status) problems.push(`status ${answer.status}, wanted ${want.status}`);
  if (want.status4xx && !(answer.status >= 400 && answer.status < 500)) problems.push(`status ${answer.status}, wanted a 4xx`);
  if (want.underMs && answer.ms > want.underMs) problems.push(`answered in ${answer.ms} ms, wanted < ${want.underMs}`);
  if (want.answerUnderMs && (answer.ms > want.answerUnderMs || answer.status === "no answer")) problems.push(`answered in ${answer.ms} ms, wanted < ${want.answerUnderMs}`);
  if (want.nextStatus && answer.next !== want.nextStatus) problems.push(`next valid request got ${answer.next}`);
  if (want.jobState && !new RegExp(`"state"\\s*:\\s*"${want.jobState}"`).test(answer.message)) problems.push(`job not ${want.jobState}`);
  if (want.jobState && !/"attempts"\s*:\s*1\b/.test(answer.message)) problems.push("job took more than one attempt");
  if (want.exitNonZero && answer.status === "exit 0") problems.push("CLI exited 0");
  if (want.noStackTrace && /\n\s+at [a-z]/.test(answer.message)) problems.push("CLI printed a stack trace");
  if (want.llmGrowthMb && growth.llm >= want.llmGrowthMb) problems.push(`llm grew by ${growth.llm} MB`);
  if (want.everyGrowthMb) for (const [n, g] of Object.entries(growth)) if (g >= want.everyGrowthMb) problems.push(`${n} grew by ${g} MB`);
  if (classNames.test(answer.message)) problems.push("the answer carries a Java class name");
  if (problems.length) failed++;
  report.push({ name, status: answer.status, ms: answer.ms, message: answer.message, rss_before_mb: before, rss_growth_mb: growth, problems });
  if (!asJson) {
    console.log(`${problems.length ? "FAIL" : "ok  "} ${name}: ${answer.status} in ${answer.ms} ms — ${answer.message.split("\n")[0].slice(0, 160)}`);
    for (const line of answer.message.split("\n").slice(1)) console.log(line);
    console.log(`      RSS growth (MB): ${Object.entries(growth).map(([n, g]) => `${n} ${g >= 0 ? "+" : ""}${g}`).join(", ")}`);
    for (const p of problems) console.log(`      ✗ ${p}`);
  }
}
gatewayGrpc.close(); jobGrpc.close();
if (asJson) console.log(JSON.stringify({ checks: report, passed: report.length - failed, failed }, null, 2));
console.log(`${report.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
