package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import dev.fovea.engine.adapter.AdapterTensorSpec;
import dev.fovea.engine.adapter.FusionConfig;
import dev.fovea.engine.adapter.FusionFormat;
import dev.fovea.engine.adapter.ResamplerConfig;
import dev.fovea.engine.adapter.ResamplerFormat;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufValueType;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Quantizer;
import dev.fovea.engine.vision.tiling.AnyResAssembler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a trained model as llama.cpp's LLaVA pair: an {@code mmproj} (arch {@code clip}: the tower and the
 * projector, keys as llama.cpp's image-encoder converter writes them) and an LLM (arch {@code llama}, with the
 * ShapesWorld vocabulary and chat template). Matrices take the requested type; vectors, the class token, the
 * positions and the norms stay F32, the patch kernel is F16 unless everything is F32, as in llama.cpp's files.
 */
final class GgufModelWriter {
    /** CLIP's normalization, which the ShapesWorld towers are trained with. */
    static final float[] IMAGE_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] IMAGE_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private record Tensor(String name, GgmlType type, float[] data, long[] ne) {
    }

    private GgufModelWriter() {
    }

    /**
     * The tower and (unless null) its adapter. With {@code canvas} &gt; 0 the file declares LLaVA-1.6's AnyRes: one
     * {@code canvas × canvas} pinpoint, {@code spatial_unpad}, and a zero {@code model.image_newline} (llama.cpp's
     * loader wants one; the llama.cpp layout the model is trained in has no newline rows).
     */
    static void writeMmproj(Path out, String name, VitTower tower, Adapter adapter, Parameters p, int llmDim,
                            int canvas, GgmlType type) throws IOException {
        VlmShape.Vit v = tower.shape();
        String pre = tower.prefix();
        List<Tensor> tensors = new ArrayList<>();
        GgmlType kernelType = type == GgmlType.F32 ? GgmlType.F32 : GgmlType.F16;
        tensors.add(new Tensor("v.patch_embd.weight", kernelType, transposed(p.get(pre + "patch_embd.weight")),
                new long[] {v.patchSize(), v.patchSize(), 3, v.width()}));
        tensors.add(vector("v.class_embd", p.get(pre + "class_embd")));
        tensors.add(new Tensor("v.position_embd.weight", GgmlType.F32, p.get(pre + "position_embd.weight").toFloatArray(),
                new long[] {v.width(), v.patches() + 1}));
        tensors.add(vector("v.pre_ln.weight", p.get(pre + "pre_ln.weight")));
        tensors.add(vector("v.pre_ln.bias", p.get(pre + "pre_ln.bias")));
        for (int i = 0; i < v.blocks(); i++) {
            String b = "blk." + i + ".";
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_out", "ffn_down", "ffn_up"}) {
                tensors.add(matrix("v." + b + m + ".weight", p.get(pre + b + m + ".weight"), type));
                tensors.add(vector("v." + b + m + ".bias", p.get(pre + b + m + ".bias")));
            }
            for (String n : new String[] {"ln1", "ln2"}) {
                tensors.add(vector("v." + b + n + ".weight", p.get(pre + b + n + ".weight")));
                tensors.add(vector("v." + b + n + ".bias", p.get(pre + b + n + ".bias")));
            }
        }
        ResamplerConfig resampler = adapter == null ? null : adapter.resampler();
        // the LLaVA layout, read at the penultimate layer; a tower alone (for a fusion adapter's file) or with a
        // resampler is read at its last block
        boolean llava = adapter != null && resampler == null;
        if (llava) {
            // LLaVA files declare one block more than runs (its projector reads the penultimate layer): an identity
            // block
            addIdleBlock(tensors, "v.blk." + v.blocks() + ".", v, type);
            tensors.add(matrix("mm.0.weight", p.get("mm.0.weight"), type));
            tensors.add(vector("mm.0.bias", p.get("mm.0.bias")));
            if (adapter.kind().equals(Adapter.MLP)) {
                tensors.add(matrix("mm.2.weight", p.get("mm.2.weight"), type));
                tensors.add(vector("mm.2.bias", p.get("mm.2.bias")));
            }
        } else if (resampler != null) {
            // its tensors as the engine lists them; it reads the last block, so the tower declares only the blocks
            // that run and has no post-norm
            addAdapterTensors(tensors, ResamplerFormat.STANDALONE.tensors(resampler), p, type);
        }
        if (canvas > 0) {
            tensors.add(new Tensor(AnyResAssembler.NEWLINE_TENSOR, GgmlType.F32, new float[llmDim], new long[] {llmDim}));
        }
        write(out, w -> {
            w.putString(GgufKeys.ARCHITECTURE, "clip")
                    .putString(GgufKeys.NAME, name)
                    .putString(GgufKeys.DESCRIPTION, "ShapesWorld vision tower" + (adapter == null ? ""
                            : " and " + adapter.kind() + " projector") + ", trained by fovea train shapesworld")
                    .putUint32(GgufKeys.FILE_TYPE, fileType(type))
                    .putBool(GgufKeys.HAS_TEXT_ENCODER, false)
                    .putBool(GgufKeys.HAS_VISION_ENCODER, true)
                    .putBool(GgufKeys.HAS_LLAVA_PROJECTOR, llava)
                    .putBool(GgufKeys.USE_GELU, true)
                    .putUint32(GgufKeys.VISION_IMAGE_SIZE, v.imageSize())
                    .putUint32(GgufKeys.VISION_PATCH_SIZE, v.patchSize())
                    .putUint32(GgufKeys.VISION_EMBEDDING_LENGTH, v.width())
                    .putUint32(GgufKeys.VISION_FEED_FORWARD_LENGTH, v.ff())
                    .putUint32(GgufKeys.VISION_PROJECTION_DIM, llmDim)
                    .putUint32(GgufKeys.VISION_HEAD_COUNT, v.heads())
                    .putFloat32(GgufKeys.VISION_LAYER_NORM_EPSILON, VlmShape.VIT_EPS)
                    .putUint32(GgufKeys.VISION_BLOCK_COUNT, v.blocks() + (llava ? 1 : 0))
                    .putArray(GgufKeys.VISION_IMAGE_MEAN, GgufValueType.FLOAT32, IMAGE_MEAN.clone())
                    .putArray(GgufKeys.VISION_IMAGE_STD, GgufValueType.FLOAT32, IMAGE_STD.clone());
            if (adapter != null) {
                w.putString(GgufKeys.PROJECTOR_TYPE, adapter.kind());
            }
            if (canvas > 0) {
                w.putArray(GgufKeys.VISION_IMAGE_GRID_PINPOINTS, GgufValueType.INT32, new int[] {canvas, canvas});
                w.putString(GgufKeys.VISION_PATCH_MERGE_TYPE, "spatial_unpad");
            }
            if (resampler != null) {
                ResamplerFormat.STANDALONE.putMetadata(w, resampler);
            }
        }, tensors);
    }

    /** A fusion adapter alone ({@code FusionFormat}'s layout: no tower, {@code clip.has_vision_encoder} false). */
    static void writeFusion(Path out, String name, Adapter adapter, Parameters p, GgmlType type) throws IOException {
        FusionConfig c = adapter.fusion();
        List<Tensor> tensors = new ArrayList<>();
        addAdapterTensors(tensors, FusionFormat.tensors(c, null), p, type);
        write(out, w -> {
            w.putString(GgufKeys.ARCHITECTURE, "clip")
                    .putString(GgufKeys.NAME, name)
                    .putString(GgufKeys.DESCRIPTION, "ShapesWorld fusion adapter, trained by fovea train shapesworld")
                    .putUint32(GgufKeys.FILE_TYPE, fileType(type))
                    .putBool(GgufKeys.HAS_TEXT_ENCODER, false)
                    .putBool(GgufKeys.HAS_VISION_ENCODER, false)
                    .putString(GgufKeys.PROJECTOR_TYPE, Adapter.FUSION);
            FusionFormat.putMetadata(w, c, null);
        }, tensors);
    }

    /**
     * An adapter's tensors in the engine's own layout list ({@code ResamplerFormat} / {@code FusionFormat}), each
     * from the trainer's parameter of the same name: matrices in the requested type, tables and vectors F32.
     */
    private static void addAdapterTensors(List<Tensor> tensors, List<AdapterTensorSpec> specs, Parameters p,
                                          GgmlType type) {
        for (AdapterTensorSpec spec : specs) {
            NDArray held = p.get(spec.name());
            Tensor t = switch (spec.role()) {
                case MATRIX -> matrix(spec.name(), held, type);
                case TABLE, EMBEDDING -> new Tensor(spec.name(), GgmlType.F32, held.toFloatArray(), spec.shape());
                case BIAS, NORM_WEIGHT, NORM_BIAS -> vector(spec.name(), held);
            };
            if (!java.util.Arrays.equals(t.ne(), spec.shape())) {
                throw new IllegalStateException(spec.name() + " is " + java.util.Arrays.toString(t.ne())
                        + " in training, the engine's layout says " + java.util.Arrays.toString(spec.shape()));
            }
            tensors.add(t);
        }
    }

    private static void addIdleBlock(List<Tensor> tensors, String b, VlmShape.Vit v, GgmlType type) {
        int d = v.width();
        for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            tensors.add(new Tensor(b + m + ".weight", type, new float[d * d], new long[] {d, d}));
            tensors.add(new Tensor(b + m + ".bias", GgmlType.F32, new float[d], new long[] {d}));
        }
        tensors.add(new Tensor(b + "ffn_down.weight", type, new float[d * v.ff()], new long[] {d, v.ff()}));
        tensors.add(new Tensor(b + "ffn_down.bias", GgmlType.F32, new float[v.ff()], new long[] {v.ff()}));
        tensors.add(new Tensor(b + "ffn_up.weight", type, new float[d * v.ff()], new long[] {v.ff(), d}));
        tensors.add(new Tensor(b + "ffn_up.bias", GgmlType.F32, new float[d], new long[] {d}));
        for (String n : new String[] {"ln1", "ln2"}) {
            float[] ones = new float[d];
            java.util.Arrays.fill(ones, 1f);
            tensors.add(new Tensor(b + n + ".weight", GgmlType.F32, ones, new long[] {d}));
            tensors.add(new Tensor(b + n + ".bias", GgmlType.F32, new float[d], new long[] {d}));
        }
    }

    static void writeLlm(Path out, String name, LlamaDecoder decoder, ShapesVocabulary vocab, Parameters p, GgmlType type)
            throws IOException {
        VlmShape.Llm s = decoder.shape();
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(new Tensor("token_embd.weight", type, p.get("token_embd.weight").toFloatArray(),
                new long[] {s.dim(), vocab.size()}));
        tensors.add(vector("output_norm.weight", p.get("output_norm.weight")));
        tensors.add(matrix("output.weight", p.get("output.weight"), type));
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            tensors.add(vector(b + "attn_norm.weight", p.get(b + "attn_norm.weight")));
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                tensors.add(matrix(b + m + ".weight", p.get(b + m + ".weight"), type));
            }
            tensors.add(vector(b + "ffn_norm.weight", p.get(b + "ffn_norm.weight")));
            for (String m : new String[] {"ffn_gate", "ffn_up", "ffn_down"}) {
                tensors.add(matrix(b + m + ".weight", p.get(b + m + ".weight"), type));
            }
        }
        write(out, w -> {
            w.putString(GgufKeys.ARCHITECTURE, "llama")
                    .putString(GgufKeys.NAME, name)
                    .putUint32(GgufKeys.FILE_TYPE, fileType(type))
                    .putUint32(GgufKeys.QUANTIZATION_VERSION, 2)
                    .putUint32("llama.context_length", s.context())
                    .putUint32("llama.embedding_length", s.dim())
                    .putUint32("llama.block_count", s.layers())
                    .putUint32("llama.feed_forward_length", s.ff())
                    .putUint32("llama.attention.head_count", s.heads())
                    .putUint32("llama.attention.head_count_kv", s.heads())
                    .putUint32("llama.rope.dimension_count", s.headDim())
                    .putFloat32("llama.rope.freq_base", s.ropeBase())
                    .putFloat32("llama.attention.layer_norm_rms_epsilon", VlmShape.NORM_EPS)
                    .putUint32("llama.vocab_size", vocab.size());
            vocab.writeTo(w, PromptLayout.CHAT_TEMPLATE);
        }, tensors);
    }

    /** A weight held {@code [in, out]} as GGUF's {@code out} rows of {@code in} values. */
    private static Tensor matrix(String name, NDArray held, GgmlType type) {
        long in = held.getShape().get(0);
        long out = held.getShape().get(1);
        return new Tensor(name, type, transposed(held), new long[] {in, out});
    }

    private static Tensor vector(String name, NDArray a) {
        return new Tensor(name, GgmlType.F32, a.toFloatArray(), new long[] {a.getShape().size()});
    }

    private static float[] transposed(NDArray held) {
        int in = Math.toIntExact(held.getShape().get(0));
        int out = Math.toIntExact(held.getShape().get(1));
        float[] src = held.toFloatArray();
        float[] dst = new float[src.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                dst[o * in + i] = src[i * out + o];
            }
        }
        return dst;
    }

    private static void write(Path out, Consumer<GgufWriter> metadata, List<Tensor> tensors) throws IOException {
        try (GgufWriter w = GgufWriter.create(out)) {
            metadata.accept(w);
            for (Tensor t : tensors) {
                w.addTensor(t.name(), t.type(), t.ne());
            }
            for (Tensor t : tensors) {
                w.writeTensorData(Quantizer.quantize(t.type(), t.data()));
            }
        }
    }

    /** The file type of a model written in {@code type}: f32, f16 or q8_0, the types a ShapesWorld model takes. */
    private static int fileType(GgmlType type) {
        checkType(type);
        return type.llamaFileType();
    }

    /** Refuses a matrix type other than the ones ShapesWorld models are written in. */
    static void checkType(GgmlType type) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0) {
            throw new IllegalArgumentException("ShapesWorld models are written as f32, f16 or q8_0, not " + type);
        }
    }
}
