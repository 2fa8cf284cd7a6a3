// A vision reference fixture: runs clip-embed (clip-embed.cpp, built against a local llama.cpp) on an mmproj made by
// `fovea synth mmproj` and an image, and writes JSON with the synth spec, so the test can remake the file:
//   { "build", "synth": {preset, projector, qtype, seed}, "image", "n_image_pos", "n_mmproj_embd",
//     "embd": base64 little-endian F32 [n_image_pos × n_mmproj_embd] }
//
//   node tools/reference/vision-reference.mjs CLIP_EMBED MMPROJ.gguf SHARED_CONFORMANCE_DIR IMAGE OUT.json \
//       --synth preset=tiny,projector=mlp_norm,qtype=f32,seed=1 [--build "llama.cpp b4748"]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";

const argv = process.argv.slice(2);
const pos = [];
let synth = {};
let build = "llama.cpp b4748";
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--synth") synth = Object.fromEntries(argv[++i].split(",").map((kv) => kv.split("=")));
    else if (argv[i] === "--build") build = argv[++i];
    else pos.push(argv[i]);
}
if (pos.length !== 5) {
    console.error("usage: node vision-reference.mjs CLIP_EMBED MMPROJ.gguf CONFORMANCE_DIR IMAGE OUT.json --synth k=v,...");
    process.exit(2);
}
const [clipEmbed, mmproj, conformance, image, out] = pos;
const tmp = path.join(os.tmpdir(), `vision-reference-${process.pid}.f32`);
const printed = execFileSync(clipEmbed, [mmproj, path.join(conformance, image), tmp], { stdio: ["ignore", "pipe", "ignore"] })
    .toString().trim().split(/\s+/).map(Number);
const [nPos, width] = printed.slice(-2);
const embd = fs.readFileSync(tmp);
fs.rmSync(tmp);
if (embd.length !== nPos * width * 4) throw new Error(`clip-embed wrote ${embd.length} bytes for ${nPos} × ${width}`);
fs.writeFileSync(out, JSON.stringify({
    build: `${build} (tools/reference/clip-embed.cpp on its clip/llava code, CPU)`,
    synth: { ...synth, seed: Number(synth.seed ?? 1) },
    image, n_image_pos: nPos, n_mmproj_embd: width,
    embd: embd.toString("base64")
}) + "\n");
console.log(`${out}: ${nPos} × ${width}`);
