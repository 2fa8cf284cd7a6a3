// Usage: node auth.mjs BASE_URL MODEL KEY — the official client against a gateway with API keys: with KEY (as
// apiKey, which the client sends as "Authorization: Bearer KEY") it lists models and completes a chat, streamed
// too; with a wrong key it gets the client's AuthenticationError. Prints one JSON line for the Java test.
import OpenAI from "openai";

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120000 });
const messages = [{ role: "user", content: "Say hi." }];

const models = [];
for await (const m of client.models.list()) models.push(m.id);

const whole = await client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 4 });
let streamed = 0;
for await (const chunk of await client.chat.completions.create({
  model, messages, temperature: 0, max_tokens: 4, stream: true,
})) {
  streamed += chunk.choices.length;
}

async function refusal(key) {
  try {
    await new OpenAI({ baseURL, apiKey: key, maxRetries: 0, timeout: 30000 }).models.list();
    return null;
  } catch (e) {
    return { status: e.status ?? null, code: e.code ?? null, type: e.type ?? null, name: e.constructor.name };
  }
}

console.log(JSON.stringify({
  models,
  finish_reason: whole.choices[0].finish_reason,
  streamed,
  wrongKey: await refusal("not-a-key-of-this-gateway"),
}));
