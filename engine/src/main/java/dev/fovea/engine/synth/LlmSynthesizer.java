package dev.fovea.engine.synth;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufValue;
import dev.fovea.engine.llm.LlmArchitecture;
import dev.fovea.engine.llm.LlmArchitectures;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.Quantizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a random-weight decoder GGUF at a preset's shapes, in llama.cpp's layout (names, shapes, metadata keys),
 * with the tokenizer copied from a vocab GGUF. Sizing and benchmarks need real shapes, not trained weights.
 *
 * <p>2-D weights take the requested type; norms stay F32 (as llama.cpp's converters keep them). Tensors are
 * generated and quantized a chunk of rows at a time and streamed to disk, so a 7B model needs little memory.
 */
public final class LlmSynthesizer {
    private static final float WEIGHT_STD = LlmPreset.WEIGHT_STD;

    /** What to write. */
    public record Spec(LlmPreset preset, GgmlType type, long seed) {
        public Spec {
            if (!Quantizer.supports(type)) {
                throw new IllegalArgumentException("cannot write weights of type " + type);
            }
        }
    }

    private LlmSynthesizer() {
    }

    public static void write(Spec spec, GgufFile vocab, Path out, Parallel pool, Progress progress) throws IOException {
        if (vocab.getStringArray(GgufKeys.TOKENS) == null || vocab.getStringArray(GgufKeys.TOKENS).length == 0) {
            throw new GgufFormatException(vocab.path() + " has no tokenizer.ggml.tokens: not a vocab GGUF");
        }
        Map<String, GgufValue> tokenizer = new LinkedHashMap<>();
        for (Map.Entry<String, GgufValue> e : vocab.metadata().entrySet()) {
            if (e.getKey().startsWith(GgufKeys.TOKENIZER_PREFIX)) {
                tokenizer.put(e.getKey(), e.getValue());
            }
        }
        write(spec, tokenizer, out, pool, progress);
    }

    /** As {@link #write(Spec, GgufFile, Path, Parallel, Progress)}, with the {@code tokenizer.*} metadata given. */
    public static void write(Spec spec, Map<String, GgufValue> tokenizer, Path out, Parallel pool, Progress progress)
            throws IOException {
        LlmPreset p = spec.preset();
        GgufValue tokenList = tokenizer.get(GgufKeys.TOKENS);
        if (tokenList == null || !(tokenList.value() instanceof String[] tokens) || tokens.length == 0) {
            throw new IllegalArgumentException("the tokenizer metadata has no tokenizer.ggml.tokens");
        }
        List<SynthTensor> plan = plan(p, tokens.length, spec.type());
        SynthTensor.writeFile(out, w -> {
            String a = p.arch();
            w.putString(GgufKeys.ARCHITECTURE, a)
                    .putString(GgufKeys.NAME, "fovea-synth " + p.name() + " (random weights)")
                    .putUint32(GgufKeys.FILE_TYPE, spec.type().llamaFileType())
                    .putUint32(GgufKeys.QUANTIZATION_VERSION, 2)
                    .putUint32(GgufKeys.contextLength(a), p.contextLength())
                    .putUint32(GgufKeys.embeddingLength(a), p.embd())
                    .putUint32(GgufKeys.blockCount(a), p.blockCount())
                    .putUint32(GgufKeys.feedForwardLength(a), p.ffnLength())
                    .putUint32(GgufKeys.headCount(a), p.headCount())
                    .putUint32(GgufKeys.headCountKv(a), p.headCountKv())
                    .putUint32(GgufKeys.ropeDimensionCount(a), p.ropeDims() > 0 ? p.ropeDims() : p.headDim())
                    .putFloat32(GgufKeys.ropeFreqBase(a), p.ropeBase())
                    .putFloat32(phi(p) ? GgufKeys.layerNormEpsilon(a) : GgufKeys.rmsEpsilon(a), p.rmsEps())
                    .putUint32(a + ".vocab_size", tokens.length);
            tokenizer.forEach(w::put);
        }, plan, spec.seed(), pool, progress);
    }

    /**
     * Llama 3.1's rotary frequency factors as its converter writes them (factor 8, low/high frequency factors 1 and
     * 4): 1 for wavelengths under a quarter of the original context, 8 above it, a smooth blend between. The original
     * context is the preset's sixteenth (Llama 3.1: 131072 / 16 = 8192), so a tiny preset's short prompts already
     * reach the scaled pairs.
     */
    static float[] llama3RopeFactors(LlmPreset p) {
        int dims = p.ropeDims() > 0 ? p.ropeDims() : p.headDim();
        float[] f = new float[dims / 2];
        double factor = 8;
        double original = p.contextLength() / 16.0;
        double lowFreqWavelen = original / 1.0;
        double highFreqWavelen = original / 4.0;
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / Math.pow(p.ropeBase(), -2.0 * i / dims);
            if (wavelen < highFreqWavelen) {
                f[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                f[i] = (float) factor;
            } else {
                double smooth = (original / wavelen - 1) / (4 - 1);
                f[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return f;
    }

    /** Whether the preset's architecture has phi2's block (LayerNorms with biases, parallel attention and MLP). */
    private static boolean phi(LlmPreset p) {
        LlmArchitecture a = LlmArchitectures.named(p.arch());
        return a != null && a.phiBlock();
    }

    private static List<SynthTensor> plan(LlmPreset p, int vocab, GgmlType type) {
        int kv = p.headCountKv() * p.headDim();
        boolean phi = phi(p);
        List<SynthTensor> plan = new ArrayList<>();
        plan.add(SynthTensor.random("token_embd.weight", type, vocab, p.embd(), p.tokenEmbdStd()));
        if (p.ropeFreqs()) {
            plan.add(SynthTensor.values("rope_freqs.weight", llama3RopeFactors(p)));
        }
        plan.add(SynthTensor.constant("output_norm.weight", p.embd(), 1f));
        if (phi) {
            plan.add(SynthTensor.random("output_norm.bias", GgmlType.F32, 1, p.embd(), WEIGHT_STD));
        }
        if (!p.tiedOutput()) {
            plan.add(SynthTensor.random("output.weight", type, vocab, p.embd(), WEIGHT_STD));
            if (phi) {
                plan.add(SynthTensor.random("output.bias", GgmlType.F32, 1, vocab, WEIGHT_STD));
            }
        }
        for (int i = 0; i < p.blockCount(); i++) {
            String b = "blk." + i + ".";
            plan.add(SynthTensor.constant(b + "attn_norm.weight", p.embd(), 1f));
            if (phi) {
                plan.add(SynthTensor.random(b + "attn_norm.bias", GgmlType.F32, 1, p.embd(), WEIGHT_STD));
            }
            if (p.fused()) {
                plan.add(SynthTensor.random(b + "attn_qkv.weight", type, p.embd() + 2 * kv, p.embd(), WEIGHT_STD));
                if (p.qkvBias()) {
                    plan.add(SynthTensor.random(b + "attn_qkv.bias", GgmlType.F32, 1, p.embd() + 2 * kv, WEIGHT_STD));
                }
            } else {
                plan.add(SynthTensor.random(b + "attn_q.weight", type, p.embd(), p.embd(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "attn_k.weight", type, kv, p.embd(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "attn_v.weight", type, kv, p.embd(), WEIGHT_STD));
                if (p.qkvBias()) {
                    plan.add(SynthTensor.random(b + "attn_q.bias", GgmlType.F32, 1, p.embd(), WEIGHT_STD));
                    plan.add(SynthTensor.random(b + "attn_k.bias", GgmlType.F32, 1, kv, WEIGHT_STD));
                    plan.add(SynthTensor.random(b + "attn_v.bias", GgmlType.F32, 1, kv, WEIGHT_STD));
                }
            }
            plan.add(SynthTensor.random(b + "attn_output.weight", type, p.embd(), p.embd(), WEIGHT_STD));
            if (phi) {
                // phi2: no ffn_norm and no gate; a bias on every projection
                plan.add(SynthTensor.random(b + "attn_output.bias", GgmlType.F32, 1, p.embd(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "ffn_up.weight", type, p.ffnLength(), p.embd(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "ffn_up.bias", GgmlType.F32, 1, p.ffnLength(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "ffn_down.weight", type, p.embd(), p.ffnLength(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "ffn_down.bias", GgmlType.F32, 1, p.embd(), WEIGHT_STD));
                continue;
            }
            plan.add(SynthTensor.constant(b + "ffn_norm.weight", p.embd(), 1f));
            if (p.fused()) {
                plan.add(SynthTensor.random(b + "ffn_up.weight", type, 2 * p.ffnLength(), p.embd(), WEIGHT_STD));
            } else {
                plan.add(SynthTensor.random(b + "ffn_gate.weight", type, p.ffnLength(), p.embd(), WEIGHT_STD));
                plan.add(SynthTensor.random(b + "ffn_up.weight", type, p.ffnLength(), p.embd(), WEIGHT_STD));
            }
            plan.add(SynthTensor.random(b + "ffn_down.weight", type, p.embd(), p.ffnLength(), WEIGHT_STD));
        }
        return plan;
    }
}
