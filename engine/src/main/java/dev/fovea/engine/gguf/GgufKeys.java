package dev.fovea.engine.gguf;

/**
 * Every GGUF metadata key Fovea reads or writes, named once: llama.cpp's keys (the {@code general.}, LLM,
 * {@code tokenizer.} and {@code clip.} families its converters write) and Fovea's own adapter keys. LLM keys sit
 * under the architecture's prefix ({@code llama.block_count}), so they are methods of the architecture name.
 */
public final class GgufKeys {
    private GgufKeys() {
    }

    // general
    public static final String ARCHITECTURE = "general.architecture";
    public static final String NAME = "general.name";
    public static final String DESCRIPTION = "general.description";
    public static final String ALIGNMENT = "general.alignment";
    public static final String FILE_TYPE = "general.file_type";
    public static final String QUANTIZATION_VERSION = "general.quantization_version";

    // the LLM, under its architecture's prefix
    public static String contextLength(String arch) {
        return arch + ".context_length";
    }

    public static String embeddingLength(String arch) {
        return arch + ".embedding_length";
    }

    public static String blockCount(String arch) {
        return arch + ".block_count";
    }

    public static String feedForwardLength(String arch) {
        return arch + ".feed_forward_length";
    }

    public static String headCount(String arch) {
        return arch + ".attention.head_count";
    }

    public static String headCountKv(String arch) {
        return arch + ".attention.head_count_kv";
    }

    public static String keyLength(String arch) {
        return arch + ".attention.key_length";
    }

    public static String layerNormEpsilon(String arch) {
        return arch + ".attention.layer_norm_epsilon";
    }

    public static String rmsEpsilon(String arch) {
        return arch + ".attention.layer_norm_rms_epsilon";
    }

    public static String ropeFreqBase(String arch) {
        return arch + ".rope.freq_base";
    }

    public static String ropeDimensionCount(String arch) {
        return arch + ".rope.dimension_count";
    }

    /** Qwen2-VL's M-RoPE: INT32[4], pairs turned by the temporal, height, width and extra positions. */
    public static String ropeDimensionSections(String arch) {
        return arch + ".rope.dimension_sections";
    }

    // tokenizer
    public static final String TOKENIZER_PREFIX = "tokenizer.";
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    public static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPES = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String EOT_ID = "tokenizer.ggml.eot_token_id";
    public static final String UNKNOWN_ID = "tokenizer.ggml.unknown_token_id";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    public static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    // clip (the mmproj file)
    public static final String CLIP_ARCHITECTURE = "clip";
    public static final String PROJECTOR_TYPE = "clip.projector_type";
    public static final String HAS_TEXT_ENCODER = "clip.has_text_encoder";
    public static final String HAS_VISION_ENCODER = "clip.has_vision_encoder";
    public static final String HAS_LLAVA_PROJECTOR = "clip.has_llava_projector";
    public static final String USE_GELU = "clip.use_gelu";
    public static final String USE_SILU = "clip.use_silu";
    public static final String HAS_QWEN2VL_MERGER = "clip.has_qwen2vl_merger";
    /** MiniCPM-V's resampler (with {@link #PROJECTOR_TYPE} {@code resampler}); its shape follows the version. */
    public static final String HAS_MINICPMV_PROJECTOR = "clip.has_minicpmv_projector";
    /** i32: 2 = MiniCPM-V 2.5, 3 = MiniCPM-V 2.6 (llama.cpp's numbering; 1 and 4 exist there too). */
    public static final String MINICPMV_VERSION = "clip.minicpmv_version";
    public static final String VISION_IMAGE_SIZE = "clip.vision.image_size";
    public static final String VISION_PATCH_SIZE = "clip.vision.patch_size";
    public static final String VISION_EMBEDDING_LENGTH = "clip.vision.embedding_length";
    public static final String VISION_FEED_FORWARD_LENGTH = "clip.vision.feed_forward_length";
    public static final String VISION_PROJECTION_DIM = "clip.vision.projection_dim";
    public static final String VISION_HEAD_COUNT = "clip.vision.attention.head_count";
    public static final String VISION_LAYER_NORM_EPSILON = "clip.vision.attention.layer_norm_epsilon";
    public static final String VISION_BLOCK_COUNT = "clip.vision.block_count";
    public static final String VISION_IMAGE_MEAN = "clip.vision.image_mean";
    public static final String VISION_IMAGE_STD = "clip.vision.image_std";
    public static final String VISION_IMAGE_GRID_PINPOINTS = "clip.vision.image_grid_pinpoints";
    /** {@code spatial_unpad} in LLaVA-1.6 files (llama.cpp tiles only then); {@code flat} or absent otherwise. */
    public static final String VISION_PATCH_MERGE_TYPE = "clip.vision.mm_patch_merge_type";
    public static final String VISION_PROJECTOR_SCALE_FACTOR = "clip.vision.projector.scale_factor";

    // Fovea's adapters (docs/adapters.md)
    public static final String RESAMPLER_PREFIX = "clip.resampler.";
    public static final String FUSION_PREFIX = "clip.fusion.";
    public static final String FUSION_INPUT_DIMS = "clip.fusion.input_dims";
    public static final String FUSION_GRID_ROWS = "clip.fusion.grid_rows";
    public static final String FUSION_GRID_COLS = "clip.fusion.grid_cols";
    public static final String FUSION_LAYER_NORM_EPSILON = "clip.fusion.layer_norm_epsilon";
    public static final String FUSION_QUERY_BRANCH_INPUT = "clip.fusion.query_branch_input";
    public static final String FUSION_RESAMPLER_PREFIX = "clip.fusion.resampler.";
}
