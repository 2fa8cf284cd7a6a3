// Reference outputs of an LLM GGUF from llama.cpp, for architectures the project's reference build (4748) lacks:
// the prebuilt llama.cpp inside the npm package node-llama-cpp (see ../shared/bench/llamacpp-2026/README.md for its
// install). Evaluates a prompt of token ids with an F32 KV cache and flash attention off (the conformance settings),
// takes the raw logits of the last prompt position, then greedily generates, and writes JSON:
//   { "build", "model", "synth", "prompt": [ids], "logits": base64 little-endian F32 [n_vocab],
//     "greedy": [ids], "margins": [top-1 minus top-2 logit at each greedy step] }
// "synth" is copied from --synth (how the project remakes MODEL: preset=…,qtype=…,seed=…,vocab=…).
//
//   NLC_DIR=DIR node tools/reference/llm-reference.mjs MODEL.gguf OUT.json --synth preset=tiny-phi3,qtype=f16,seed=1,vocab=ggml-vocab-phi-3.gguf \
//       [--prompt 1,450,...] [--greedy 16]
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const argv = process.argv.slice(2);
const pos = [];
const opt = { prompt: null, greedy: 16, synth: {} };
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--prompt") opt.prompt = argv[++i].split(",").map(Number);
    else if (argv[i] === "--greedy") opt.greedy = +argv[++i];
    else if (argv[i] === "--synth") opt.synth = Object.fromEntries(argv[++i].split(",").map((kv) => kv.split("=")));
    else pos.push(argv[i]);
}
if (pos.length !== 2) {
    console.error("usage: NLC_DIR=DIR node llm-reference.mjs MODEL.gguf OUT.json [--prompt ids] [--greedy n]");
    process.exit(2);
}
const [modelPath, outPath] = pos;
const nlcDir = process.env.NLC_DIR;
if (!nlcDir) { console.error("set NLC_DIR to the folder whose node_modules holds node-llama-cpp"); process.exit(2); }
const entry = path.join(nlcDir, "node_modules", "node-llama-cpp", "dist", "index.js");
const { getLlama, LlamaLogLevel, getModuleVersion } = await import(pathToFileURL(entry).href);

const llama = await getLlama({
    gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, maxThreads: 2,
    logLevel: LlamaLogLevel.debug, progressLogs: false
});
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({
    contextSize: 256, batchSize: 256, threads: 2, flashAttention: false, sequences: 1,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"
});
const seq = context.getSequence();
const nVocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
// a fixed prompt of ordinary tokens after BOS unless one is given
const prompt = opt.prompt ?? [1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975, 278, 17366, 11203, 29889, 13, 4013];

const items = prompt.map((t, i) => i === prompt.length - 1 ? [t, { generateNext: { logits: true, token: true } }] : t);
const res = await seq.controlledEvaluate(items);
const last = res[prompt.length - 1].next;
const logits = new Float32Array(nVocab);
for (const [tok, v] of last.logits) logits[tok] = v;
// the top two of a logits map (it iterates from the highest)
const topTwo = (map) => {
    const it = map.entries();
    const a = it.next().value, b = it.next().value;
    return [a[0], a[1] - b[1]];
};
let [first, margin] = topTwo(last.logits);
const greedy = [first];
const margins = [margin];
// greedy continuation: the argmax of the raw logits at each step
while (greedy.length < opt.greedy) {
    const r = await seq.controlledEvaluate([[greedy[greedy.length - 1], { generateNext: { logits: true } }]]);
    [first, margin] = topTwo(r[0].next.logits);
    greedy.push(first);
    margins.push(margin);
}
const build = await getModuleVersion();
fs.writeFileSync(outPath, JSON.stringify({
    build: `llama.cpp ${llama.llamaCppRelease.release} (prebuilt CPU build in node-llama-cpp ${build}), F32 KV cache, flash attention off`,
    model: path.basename(modelPath),
    synth: opt.synth,
    prompt,
    logits: Buffer.from(logits.buffer).toString("base64"),
    greedy,
    margins
}) + "\n");
console.log(`${outPath}: ${nVocab} logits, greedy ${greedy.join(",")}`);
await context.dispose();
await model.dispose();
