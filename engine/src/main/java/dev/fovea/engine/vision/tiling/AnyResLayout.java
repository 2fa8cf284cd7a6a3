package dev.fovea.engine.vision.tiling;

/**
 * How LLaVA-1.6's base view and tiles become one embedding sequence. Hugging Face's (the model's own, and the
 * default): the tiles' grid cut back to the image's aspect ("unpadded") with a newline embedding after each row —
 * 2,928 positions for a 672² image. llama.cpp's (b4748 and its LLaVA-1.6 path since): the whole tile grid row by row,
 * no unpadding and no newlines, so its outputs can be checked against llama.cpp's.
 */
public enum AnyResLayout {
    HUGGING_FACE,
    LLAMA_CPP;

    /** The layout a pipeline option names: {@code huggingface} or {@code llama.cpp}. */
    public static AnyResLayout named(String name) {
        return switch (name) {
            case "huggingface" -> HUGGING_FACE;
            case "llama.cpp" -> LLAMA_CPP;
            default -> throw new IllegalArgumentException("anyres layout must be huggingface or llama.cpp, got '"
                    + name + "'");
        };
    }
}
