// Usage: node chat.mjs BASE_URL MODEL — one non-streaming and one streaming chat completion through the official
// client; prints one JSON line with what came back, for the Java test to check.
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0, timeout: 120000 });
const messages = [
  { role: "system", content: "You answer briefly." },
  { role: "user", content: [{ type: "text", text: "Name three colors of the sky." }] },
];

const whole = await client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 24 });

const stream = await client.chat.completions.create({
  model, messages, temperature: 0, max_tokens: 24, stream: true, stream_options: { include_usage: true },
});
let text = "";
let finish = null;
let usage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const c of chunk.choices) {
    text += c.delta?.content ?? "";
    if (c.finish_reason) finish = c.finish_reason;
  }
}

let errorStatus = null;
try {
  await client.chat.completions.create({ model: "no-such-model", messages });
} catch (e) {
  errorStatus = { status: e.status, code: e.code ?? null, type: e.type ?? null };
}

console.log(JSON.stringify({
  whole: {
    content: whole.choices[0].message.content,
    finish_reason: whole.choices[0].finish_reason,
    usage: whole.usage,
    object: whole.object,
  },
  stream: { content: text, finish_reason: finish, usage, chunks },
  error: errorStatus,
}));
