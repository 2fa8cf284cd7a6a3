// A vision reference fixture: runs clip-embed (clip-embed.cpp, built against a local llama.cpp) on an mmproj and an
// image and writes JSON the engine's VisionReferenceTest reads:
//   { "build", "synth": {preset, projector, qtype, seed} | "mmproj": path under ../shared/conformance,
//     "image": "conformance:<path>" or "resource:<file beside the fixture>", "n_image_pos", "n_mmproj_embd",
//     "embd": base64 little-endian F32 [n_image_pos × n_mmproj_embd] }
//
//   node tools/reference/vision-reference.mjs CLIP_EMBED MMPROJ.gguf IMAGE OUT.json --image-name conformance:images/x.png \
//       (--synth preset=tiny,projector=mlp_norm,qtype=f32,seed=1 | --mmproj-name qwen2vl/models/mmproj-qwen2vl-64.gguf) \
//       [--build "llama.cpp b4748"]
// With --synth, MMPROJ must be the file `fovea synth mmproj` wrote for that spec (the test remakes it from the spec).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";

const argv = process.argv.slice(2);
const pos = [];
let synth = null;
let mmprojName = null;
let imageName = null;
let build = "llama.cpp b4748";
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--synth") synth = Object.fromEntries(argv[++i].split(",").map((kv) => kv.split("=")));
    else if (argv[i] === "--mmproj-name") mmprojName = argv[++i];
    else if (argv[i] === "--image-name") imageName = argv[++i];
    else if (argv[i] === "--build") build = argv[++i];
    else pos.push(argv[i]);
}
if (pos.length !== 4 || !imageName || (synth === null) === (mmprojName === null)) {
    console.error("usage: node vision-reference.mjs CLIP_EMBED MMPROJ.gguf IMAGE OUT.json --image-name NAME "
        + "(--synth k=v,... | --mmproj-name PATH)");
    process.exit(2);
}
const [clipEmbed, mmproj, image, out] = pos;
const tmp = path.join(os.tmpdir(), `vision-reference-${process.pid}.f32`);
const printed = execFileSync(clipEmbed, [mmproj, image, tmp], { stdio: ["ignore", "pipe", "ignore"] })
    .toString().trim().split(/\s+/).map(Number);
const [nPos, width] = printed.slice(-2);
const embd = fs.readFileSync(tmp);
fs.rmSync(tmp);
if (embd.length !== nPos * width * 4) throw new Error(`clip-embed wrote ${embd.length} bytes for ${nPos} × ${width}`);
const fixture = { build: `${build} (tools/reference/clip-embed.cpp on its clip/llava code, CPU)` };
if (synth) fixture.synth = { ...synth, seed: Number(synth.seed ?? 1) };
else fixture.mmproj = mmprojName;
Object.assign(fixture, { image: imageName, n_image_pos: nPos, n_mmproj_embd: width, embd: embd.toString("base64") });
fs.writeFileSync(out, JSON.stringify(fixture) + "\n");
console.log(`${out}: ${nPos} × ${width}`);
