// Usage: node batch.mjs BASE_URL MODEL N — a batch of N greedy chat requests through the official client's files and
// batches APIs (upload, create, poll, download), then the same N requests synchronously; prints one JSON line with
// both sets of answers by custom_id, for the Java test to compare.
import OpenAI, { toFile } from "openai";

const [baseURL, model, count] = process.argv.slice(2);
const n = Number(count);
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0, timeout: 120000 });
const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

const bodies = new Map();
for (let i = 0; i < n; i++) {
  bodies.set(`req-${i}`, {
    model, temperature: 0, max_tokens: 6,
    messages: [{ role: "user", content: `Say something about the number ${i}.` }],
  });
}
const jsonl = [...bodies].map(([id, body]) =>
  JSON.stringify({ custom_id: id, method: "POST", url: "/v1/chat/completions", body })).join("\n") + "\n";

const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), "batch.jsonl"), purpose: "batch" });
const retrieved = await client.files.retrieve(file.id);
let batch = await client.batches.create({
  input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { test: "node" },
});
const created = batch.status;
const deadline = Date.now() + 600_000;
while (!TERMINAL.has(batch.status)) {
  if (Date.now() > deadline) throw new Error(`batch ${batch.id} still ${batch.status} after 600 s`);
  await new Promise((r) => setTimeout(r, 500));
  batch = await client.batches.retrieve(batch.id);
}
const listed = (await client.batches.list({ limit: 100 })).data.some((b) => b.id === batch.id);

const batchAnswers = {};
if (batch.output_file_id) {
  const text = await (await client.files.content(batch.output_file_id)).text();
  for (const line of text.split("\n").filter((l) => l.trim())) {
    const r = JSON.parse(line);
    const c = r.response.body;
    batchAnswers[r.custom_id] = {
      status_code: r.response.status_code, content: c.choices[0].message.content,
      finish_reason: c.choices[0].finish_reason, completion_tokens: c.usage.completion_tokens,
    };
  }
}

const syncAnswers = {};
const ids = [...bodies.keys()];
async function worker() {
  for (let id = ids.shift(); id !== undefined; id = ids.shift()) {
    const c = await client.chat.completions.create(bodies.get(id));
    syncAnswers[id] = {
      status_code: 200, content: c.choices[0].message.content,
      finish_reason: c.choices[0].finish_reason, completion_tokens: c.usage.completion_tokens,
    };
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);

console.log(JSON.stringify({
  file: { id: file.id, object: retrieved.object, purpose: retrieved.purpose, bytes: retrieved.bytes },
  created,
  batch: { id: batch.id, status: batch.status, request_counts: batch.request_counts,
    output_file_id: batch.output_file_id, error_file_id: batch.error_file_id, metadata: batch.metadata },
  listed, batchAnswers, syncAnswers,
}));
