package dev.fovea.engine.synth;

import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.LdpProjector;
import dev.fovea.engine.adapter.LdpV2Projector;
import dev.fovea.engine.adapter.MlpNormProjector;
import dev.fovea.engine.adapter.MlpProjector;
import dev.fovea.engine.adapter.ResamplerProjector;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufValueType;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.tiling.AnyResAssembler;
import dev.fovea.engine.vision.tiling.AnyResTiling;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a random-weight {@code mmproj} GGUF (arch {@code clip}, llama.cpp's tensor names and keys) for a preset
 * tower with an {@code mlp} or {@code linear} projector. Matrices take the requested type, everything else F32.
 */
public final class MmprojSynthesizer {
    private static final float STD = 0.02f;

    /** What to write. */
    /**
     * @param anyRes   add LLaVA-1.6's pinpoints (scaled to the preset's image size) and the newline embedding
     * @param llmEmbd  width of the projector output (the LLM's n_embd); 0 = the preset's
     */
    public record Spec(MmprojPreset preset, String projector, GgmlType type, long seed, boolean anyRes, int llmEmbd) {
        public Spec {
            if (!projector.equals(MlpProjector.MLP) && !projector.equals(MlpProjector.LINEAR)
                    && !projector.equals(MlpNormProjector.KIND) && !projector.equals(LdpV2Projector.KIND)
                    && !projector.equals(LdpProjector.KIND) && !projector.equals(ResamplerProjector.KIND)) {
                throw new IllegalArgumentException("projector '" + projector + "' cannot be synthesized here (mlp, "
                        + "linear, mlp_norm, ldp, ldpv2, resampler = MiniCPM-V's;"
                        + " adapter kinds of docs/adapters.md have their own writer)");
            }
            if (projector.equals(ResamplerProjector.KIND)) {
                int width = llmEmbd > 0 ? llmEmbd : preset.llmEmbd();
                if (minicpmvVersion(width) == 0 || preset.patchSize() != 14 || preset.classToken()) {
                    throw new IllegalArgumentException("a MiniCPM-V mmproj needs an output width of 4096 (version 2)"
                            + " or 3584 (version 3), patch size 14 and no class token (llama.cpp's fixed shapes); "
                            + preset.name() + " gives " + width + ", " + preset.patchSize()
                            + (preset.classToken() ? ", a class token" : ""));
                }
                if (anyRes) {
                    throw new IllegalArgumentException("MiniCPM-V slices images its own way: no AnyRes");
                }
            }
        }
    }

    /** llama.cpp's {@code clip.minicpmv_version} for a resampler of this width (0: none). */
    private static int minicpmvVersion(int width) {
        return switch (width) {
            case 4096 -> 2;
            case 3584 -> 3;
            default -> 0;
        };
    }

    /** MiniCPM-V's queries per version (llama.cpp's fixed numbers). */
    private static int minicpmvQueries(int version) {
        return version == 2 ? 96 : 64;
    }

    /** Side of MiniCPM-V's tower position table. */
    private static final int MINICPMV_POSITION_GRID = 70;

    private MmprojSynthesizer() {
    }

    public static void write(Spec spec, Path out, Parallel pool, Progress progress) throws IOException {
        MmprojPreset p = spec.preset();
        List<SynthTensor> plan = plan(spec);
        SynthTensor.writeFile(out, w -> {
            // LLaVA's projector reads the penultimate layer: declare one block more than runs, as llava files do
            boolean llava = p.classToken();
            boolean minicpmv = spec.projector().equals(ResamplerProjector.KIND);
            w.putString(GgufKeys.ARCHITECTURE, "clip")
                    .putString(GgufKeys.NAME, "fovea-synth " + p.name() + " (random weights)")
                    // llama.cpp's image-encoder converters write both, and its clip loader reads them when verbose
                    // (minicpmv-cli, llava-cli): a file without them is refused there
                    .putString(GgufKeys.DESCRIPTION, minicpmv ? "image encoder for MiniCPM-V" : "image encoder for LLaVA")
                    .putUint32(GgufKeys.FILE_TYPE, spec.type().llamaFileType())
                    .putBool(GgufKeys.HAS_TEXT_ENCODER, false)
                    .putBool(GgufKeys.HAS_VISION_ENCODER, true)
                    .putBool(GgufKeys.HAS_LLAVA_PROJECTOR, llava && !minicpmv)
                    // LLaVA-1.6 34B's files call their mlp_norm projector mlp (its mm.3 tells them apart)
                    .putString(GgufKeys.PROJECTOR_TYPE, spec.projector().equals(MlpNormProjector.KIND)
                            ? MlpProjector.MLP : spec.projector())
                    .putBool(GgufKeys.USE_GELU, p.gelu())
                    .putUint32(GgufKeys.VISION_IMAGE_SIZE, p.imageSize())
                    .putUint32(GgufKeys.VISION_PATCH_SIZE, p.patchSize())
                    .putUint32(GgufKeys.VISION_EMBEDDING_LENGTH, p.embd())
                    .putUint32(GgufKeys.VISION_FEED_FORWARD_LENGTH, p.ffn())
                    .putUint32(GgufKeys.VISION_PROJECTION_DIM, outputDim(spec))
                    .putUint32(GgufKeys.VISION_HEAD_COUNT, p.heads())
                    .putFloat32(GgufKeys.VISION_LAYER_NORM_EPSILON, 1e-6f)
                    .putUint32(GgufKeys.VISION_BLOCK_COUNT, p.blocks())
                    .putArray(GgufKeys.VISION_IMAGE_MEAN, GgufValueType.FLOAT32, p.mean().clone())
                    .putArray(GgufKeys.VISION_IMAGE_STD, GgufValueType.FLOAT32, p.std().clone());
            if (minicpmv) { // as llama.cpp's minicpmv converter writes them
                w.putBool(GgufKeys.HAS_MINICPMV_PROJECTOR, true);
                w.putInt32(GgufKeys.MINICPMV_VERSION, minicpmvVersion(outputDim(spec)));
            }
            if (spec.anyRes()) {
                int[] pinpoints = new int[AnyResTiling.LLAVA_16_PINPOINTS.size() * 2];
                for (int i = 0; i < AnyResTiling.LLAVA_16_PINPOINTS.size(); i++) {
                    pinpoints[2 * i] = AnyResTiling.LLAVA_16_PINPOINTS.get(i).width() * p.imageSize() / 336;
                    pinpoints[2 * i + 1] = AnyResTiling.LLAVA_16_PINPOINTS.get(i).height() * p.imageSize() / 336;
                }
                w.putArray(GgufKeys.VISION_IMAGE_GRID_PINPOINTS, GgufValueType.INT32, pinpoints);
                w.putString(GgufKeys.VISION_PATCH_MERGE_TYPE, "spatial_unpad");
            }
        }, plan, spec.seed(), pool, progress);
    }

    private static int outputDim(Spec spec) {
        return spec.llmEmbd() > 0 ? spec.llmEmbd() : spec.preset().llmEmbd();
    }

    private static List<SynthTensor> plan(Spec spec) {
        MmprojPreset p = spec.preset();
        GgmlType t = spec.type();
        int d = p.embd();
        int patchLen = 3 * p.patchSize() * p.patchSize();
        List<SynthTensor> plan = new ArrayList<>();
        // the patch kernel is F32 or F16 in llama.cpp's files whatever the matrix type (a convolution, not a mat-mul)
        GgmlType kernelType = t == GgmlType.F32 ? GgmlType.F32 : GgmlType.F16;
        plan.add(SynthTensor.random("v.patch_embd.weight", kernelType, d, patchLen, STD)
                .withShape(p.patchSize(), p.patchSize(), 3, d));
        if (p.patchBias()) {
            plan.add(SynthTensor.random("v.patch_embd.bias", GgmlType.F32, 1, d, STD));
        }
        if (p.classToken()) {
            plan.add(SynthTensor.random("v.class_embd", GgmlType.F32, 1, d, STD));
        }
        boolean minicpmv = spec.projector().equals(ResamplerProjector.KIND);
        int positions = minicpmv ? MINICPMV_POSITION_GRID * MINICPMV_POSITION_GRID
                : p.patches() + (p.classToken() ? 1 : 0);
        // MiniCPM-V: positions as strong as the patch embeddings, so that a slice's bucketing shows in the output
        plan.add(SynthTensor.random("v.position_embd.weight", GgmlType.F32, positions, d, minicpmv ? 0.3f : STD));
        if (p.preLn()) {
            plan.add(SynthTensor.constant("v.pre_ln.weight", d, 1f));
            plan.add(SynthTensor.constant("v.pre_ln.bias", d, 0f));
        }
        for (int i = 0; i < p.blocks(); i++) {
            String b = "v.blk." + i + ".";
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                plan.add(SynthTensor.random(b + m + ".weight", t, d, d, STD));
                plan.add(SynthTensor.random(b + m + ".bias", GgmlType.F32, 1, d, STD));
            }
            plan.add(SynthTensor.constant(b + "ln1.weight", d, 1f));
            plan.add(SynthTensor.constant(b + "ln1.bias", d, 0f));
            // named as llama.cpp's clip reads them (build 4748 and the llava converter): "ffn_down" is the first
            // FFN matrix (width → ffn), "ffn_up" the second; the engine tells the two apart by shape
            plan.add(SynthTensor.random(b + "ffn_down.weight", t, p.ffn(), d, STD));
            plan.add(SynthTensor.random(b + "ffn_down.bias", GgmlType.F32, 1, p.ffn(), STD));
            plan.add(SynthTensor.random(b + "ffn_up.weight", t, d, p.ffn(), STD));
            plan.add(SynthTensor.random(b + "ffn_up.bias", GgmlType.F32, 1, d, STD));
            plan.add(SynthTensor.constant(b + "ln2.weight", d, 1f));
            plan.add(SynthTensor.constant(b + "ln2.bias", d, 0f));
        }
        if (p.postLn()) {
            plan.add(SynthTensor.constant("v.post_ln.weight", d, 1f));
            plan.add(SynthTensor.constant("v.post_ln.bias", d, 0f));
        }
        int out = outputDim(spec);
        if (minicpmv) {
            // MiniCPM-V's resampler under the converter's names (in_proj split into q/k/v, proj transposed); norm
            // weights random so that a misplaced norm shows
            int queries = minicpmvQueries(minicpmvVersion(out));
            plan.add(SynthTensor.random("resampler.query", GgmlType.F32, queries, out, 0.5f));
            plan.add(SynthTensor.random("resampler.kv.weight", t, out, d, STD));
            for (String n : new String[] {"q", "kv", "post"}) {
                plan.add(SynthTensor.random("resampler.ln_" + n + ".weight", GgmlType.F32, 1, out, 0.5f));
                plan.add(SynthTensor.random("resampler.ln_" + n + ".bias", GgmlType.F32, 1, out, STD));
            }
            for (String m : new String[] {"q", "k", "v", "out"}) {
                // larger query and key weights: attention peaked enough that the keys' positions matter
                float std = m.equals("q") || m.equals("k") ? 0.03f : STD;
                plan.add(SynthTensor.random("resampler.attn." + m + ".weight", t, out, out, std));
                plan.add(SynthTensor.random("resampler.attn." + m + ".bias", GgmlType.F32, 1, out, STD));
            }
            plan.add(SynthTensor.random("resampler.proj.weight", t, out, out, STD));
            // the converter's 70 × 70 key table: llama.cpp loads it but computes the keys' table per slice, so its
            // values do not matter (random here)
            plan.add(SynthTensor.random("resampler.pos_embed_k", GgmlType.F32, MINICPMV_POSITION_GRID
                    * MINICPMV_POSITION_GRID, out, STD));
            return plan;
        }
        if (spec.projector().equals(LdpProjector.KIND)) {
            // MobileVLM: two linear layers, then two MobileNet-V3 blocks (depthwise kernel, norm, squeeze-excite
            // gate, pointwise layer, norm); norm weights random so that a misplaced norm shows
            plan.add(SynthTensor.random("mm.model.mlp.1.weight", t, out, d, STD));
            plan.add(SynthTensor.random("mm.model.mlp.1.bias", GgmlType.F32, 1, out, STD));
            plan.add(SynthTensor.random("mm.model.mlp.3.weight", t, out, out, STD));
            plan.add(SynthTensor.random("mm.model.mlp.3.bias", GgmlType.F32, 1, out, STD));
            int squeezed = Math.max(1, out / 4);
            for (int b = 1; b <= 2; b++) {
                String mb = "mm.model.mb_block." + b + ".block.";
                plan.add(SynthTensor.random(mb + "0.0.weight", GgmlType.F16, out, 9, 0.3f).withShape(3, 3, out, 1));
                plan.add(SynthTensor.random(mb + "0.1.weight", GgmlType.F32, 1, out, 0.5f));
                plan.add(SynthTensor.random(mb + "0.1.bias", GgmlType.F32, 1, out, STD));
                plan.add(SynthTensor.random(mb + "1.fc1.weight", t, squeezed, out, 0.2f));
                plan.add(SynthTensor.random(mb + "1.fc1.bias", GgmlType.F32, 1, squeezed, STD));
                plan.add(SynthTensor.random(mb + "1.fc2.weight", t, out, squeezed, 0.5f));
                plan.add(SynthTensor.random(mb + "1.fc2.bias", GgmlType.F32, 1, out, STD));
                plan.add(SynthTensor.random(mb + "2.0.weight", t, out, out, 0.1f));
                plan.add(SynthTensor.random(mb + "2.1.weight", GgmlType.F32, 1, out, 0.5f));
                plan.add(SynthTensor.random(mb + "2.1.bias", GgmlType.F32, 1, out, STD));
            }
            return plan;
        }
        if (spec.projector().equals(LdpV2Projector.KIND)) {
            // MobileVLM V2: two linear layers, then the depthwise 3×3 kernel [3, 3, channels, 1] and its bias
            plan.add(SynthTensor.random("mm.model.mlp.0.weight", t, out, d, STD));
            plan.add(SynthTensor.random("mm.model.mlp.0.bias", GgmlType.F32, 1, out, STD));
            plan.add(SynthTensor.random("mm.model.mlp.2.weight", t, out, out, STD));
            plan.add(SynthTensor.random("mm.model.mlp.2.bias", GgmlType.F32, 1, out, STD));
            // F16, as converted files have it: llama.cpp's CPU im2col takes only an F16 kernel
            plan.add(SynthTensor.random("mm.model.peg.0.weight", GgmlType.F16, out, 9, 0.3f).withShape(3, 3, out, 1));
            plan.add(SynthTensor.random("mm.model.peg.0.bias", GgmlType.F32, 1, out, STD));
            return plan;
        }
        plan.add(SynthTensor.random("mm.0.weight", t, out, d, STD));
        plan.add(SynthTensor.random("mm.0.bias", GgmlType.F32, 1, out, STD));
        if (spec.projector().equals(MlpProjector.MLP)) {
            plan.add(SynthTensor.random("mm.2.weight", t, out, out, STD));
            plan.add(SynthTensor.random("mm.2.bias", GgmlType.F32, 1, out, STD));
        }
        if (spec.projector().equals(MlpNormProjector.KIND)) {
            // random norm weights and biases, so that a norm left out or misplaced changes the output
            plan.add(SynthTensor.random("mm.1.weight", GgmlType.F32, 1, out, 0.5f));
            plan.add(SynthTensor.random("mm.1.bias", GgmlType.F32, 1, out, STD));
            plan.add(SynthTensor.random("mm.3.weight", t, out, out, STD));
            plan.add(SynthTensor.random("mm.3.bias", GgmlType.F32, 1, out, STD));
            plan.add(SynthTensor.random("mm.4.weight", GgmlType.F32, 1, out, 0.5f));
            plan.add(SynthTensor.random("mm.4.bias", GgmlType.F32, 1, out, STD));
        }
        if (spec.anyRes()) {
            plan.add(SynthTensor.random(AnyResAssembler.NEWLINE_TENSOR, GgmlType.F32, 1, out, STD));
        }
        return plan;
    }
}
