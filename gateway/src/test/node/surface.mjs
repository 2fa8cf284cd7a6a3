// Usage: node surface.mjs BASE_URL MODEL — the rest of the OpenAI surface through the official client: structured
// outputs (parse with json_schema strict on three schemas, validated by ajv, and streamed), json_object, function
// calling (a required call, a named call, the result sent back), embeddings (base64 and float), completions,
// logprobs, n choices, and an unsupported schema. Prints one JSON line for the Java test to check.
import OpenAI from "openai";
import Ajv from "ajv";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0, timeout: 300000 });
const ajv = new Ajv({ strict: false });
const out = {};

const schemas = {
  nested: {
    type: "object",
    properties: {
      person: {
        type: "object",
        properties: { name: { type: "string", maxLength: 12 }, age: { type: "integer" } },
        required: ["name", "age"], additionalProperties: false,
      },
      address: {
        type: "object",
        properties: { city: { type: "string", maxLength: 12 }, zip: { type: ["string", "null"], maxLength: 6 } },
        required: ["city", "zip"], additionalProperties: false,
      },
    },
    required: ["person", "address"], additionalProperties: false,
  },
  arrays: {
    type: "object",
    properties: {
      colors: { type: "array", items: { type: "string", maxLength: 8 }, minItems: 1, maxItems: 3 },
      counts: { type: "array", items: { type: "integer" }, maxItems: 4 },
    },
    required: ["colors", "counts"], additionalProperties: false,
  },
  enums: {
    type: "object",
    properties: {
      shape: { enum: ["circle", "square", "star"] },
      size: { type: "string", enum: ["small", "large"] },
      visible: { type: "boolean" },
    },
    required: ["shape", "size", "visible"], additionalProperties: false,
  },
};

const ask = (text) => [{ role: "user", content: text }];

out.parse = {};
for (const [name, schema] of Object.entries(schemas)) {
  const validate = ajv.compile(schema);
  const response_format = { type: "json_schema", json_schema: { name, schema, strict: true } };
  const r = await client.chat.completions.parse({
    model, messages: ask("Answer in JSON."), response_format, temperature: 0.8, seed: 7, max_tokens: 400,
  });
  const parsed = r.choices[0].message.parsed;
  let streamed = "";
  let streamFinish = null;
  const stream = await client.chat.completions.create({
    model, messages: ask("Answer in JSON."), response_format, temperature: 0.8, seed: 7, max_tokens: 400,
    stream: true,
  });
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      streamed += c.delta?.content ?? "";
      if (c.finish_reason) streamFinish = c.finish_reason;
    }
  }
  out.parse[name] = {
    finish: r.choices[0].finish_reason, parsed, valid: validate(parsed), errors: validate.errors,
    streamFinish, streamedValid: validate(JSON.parse(streamed)), sameAsStreamed: JSON.stringify(JSON.parse(streamed))
      === JSON.stringify(parsed),
  };
}

const obj = await client.chat.completions.create({
  model, messages: ask("Reply with a JSON object."), response_format: { type: "json_object" }, temperature: 0.8,
  seed: 3, max_tokens: 300,
});
let objValue = null;
if (obj.choices[0].finish_reason === "stop") objValue = JSON.parse(obj.choices[0].message.content);
out.jsonObject = { finish: obj.choices[0].finish_reason, isObject: objValue !== null && typeof objValue === "object"
  && !Array.isArray(objValue) };

const weather = {
  type: "object",
  properties: { city: { type: "string", maxLength: 16 }, unit: { enum: ["celsius", "fahrenheit"] } },
  required: ["city", "unit"], additionalProperties: false,
};
const add = {
  type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } }, required: ["a", "b"],
  additionalProperties: false,
};
const tools = [
  { type: "function", function: { name: "get_weather", description: "The weather in a city", parameters: weather } },
  { type: "function", function: { name: "add", description: "Adds two integers", parameters: add } },
];
const question = ask("What is the weather in Oslo?");
const first = await client.chat.completions.create({
  model, messages: question, tools, tool_choice: "required", temperature: 0, max_tokens: 200,
});
const call = first.choices[0].message.tool_calls?.[0];
const args = call ? JSON.parse(call.function.arguments) : null;
const callValid = call ? ajv.compile(call.function.name === "add" ? add : weather)(args) : false;
const named = await client.chat.completions.create({
  model, messages: ask("Add 2 and 3."), tools, tool_choice: { type: "function", function: { name: "add" } },
  temperature: 0, max_tokens: 200,
});
const namedCall = named.choices[0].message.tool_calls?.[0];
const second = await client.chat.completions.create({
  model, tools, temperature: 0, max_tokens: 16, messages: [
    ...question, first.choices[0].message,
    { role: "tool", tool_call_id: call?.id ?? "none", content: JSON.stringify({ temperature: 3, unit: "celsius" }) },
  ],
});
out.tools = {
  finish: first.choices[0].finish_reason, content: first.choices[0].message.content, name: call?.function.name,
  id: call?.id, callValid, namedName: namedCall?.function.name,
  namedValid: namedCall ? ajv.compile(add)(JSON.parse(namedCall.function.arguments)) : false,
  afterResult: { finish: second.choices[0].finish_reason, usage: second.usage },
};

const inputs = ["The quick brown fox", "Hello world"];
const e64 = await client.embeddings.create({ model, input: inputs });
const ef = await client.embeddings.create({ model, input: inputs, encoding_format: "float" });
const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
out.embeddings = {
  count: e64.data.length, dims: e64.data.map((d) => d.embedding.length), norms: e64.data.map((d) => norm(d.embedding)),
  maxDiffBase64VsFloat: Math.max(...e64.data.flatMap((d, i) => d.embedding.map((x, k) => Math.abs(x
    - ef.data[i].embedding[k])))),
  differ: e64.data[0].embedding.some((x, k) => x !== e64.data[1].embedding[k]), usage: e64.usage,
};

const comp = await client.completions.create({
  model, prompt: "The quick brown fox", max_tokens: 8, temperature: 0, logprobs: 2,
});
out.completions = {
  object: comp.object, text: comp.choices[0].text, finish: comp.choices[0].finish_reason, usage: comp.usage,
  logprobTokens: comp.choices[0].logprobs?.tokens?.length,
};

const lp = await client.chat.completions.create({
  model, messages: ask("Hello"), max_tokens: 4, temperature: 0, logprobs: true, top_logprobs: 2,
});
out.logprobs = {
  tokens: lp.choices[0].logprobs?.content?.length ?? -1, completionTokens: lp.usage.completion_tokens,
  greedyIsTop: (lp.choices[0].logprobs?.content ?? []).every((t) => t.token === t.top_logprobs[0].token
    && t.top_logprobs.length === 2 && t.logprob <= 0),
};

const many = await client.chat.completions.create({
  model, messages: ask("Say something."), n: 3, temperature: 1, seed: 11, max_tokens: 8,
});
out.n = { choices: many.choices.map((c) => c.index), usage: many.usage };

try {
  await client.chat.completions.create({
    model, messages: ask("x"), max_tokens: 4,
    response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "string", format: "email" } } },
  });
  out.unsupported = { status: 200 };
} catch (e) {
  out.unsupported = { status: e.status, message: e.error?.message ?? e.message };
}

console.log(JSON.stringify(out));
