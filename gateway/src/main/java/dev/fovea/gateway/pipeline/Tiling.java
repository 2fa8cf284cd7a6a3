package dev.fovea.gateway.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** How a pipeline cuts an image before encoding. */
public enum Tiling {
    /** The whole image, once per encoder. */
    NONE,
    /** LLaVA-1.6 grid tiles with a base view. */
    ANYRES,
    /** SPHINX: a global view plus 2 × 2 sub-images. */
    SUBIMAGES;

    @JsonCreator
    static Tiling parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tiling must be none, anyres or subimages, not '" + s + "'");
        }
    }
}
