package dev.fovea.engine.llm;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every LLM architecture the engine runs, keyed by {@code general.architecture}: adding one that shares llama's
 * block is one entry here (docs/contributing.md).
 */
public final class LlmArchitectures {
    private static final Map<String, LlmArchitecture> ARCHITECTURES = new LinkedHashMap<>();

    static {
        add(new LlmArchitecture("llama", false));
        add(new LlmArchitecture("mistral", false));
        add(new LlmArchitecture("qwen2", true));
        // Phi-3: llama's block with Q/K/V and gate/up stored stacked (DecoderModel splits them) and NeoX rotary
        // pairs; its sliding window (phi3.attention.sliding_window) is not applied (docs/engine.md)
        add(new LlmArchitecture("phi3", true));
        add(new LlmArchitecture("qwen2vl", true, true, false, "<|vision_start|>", "<|vision_end|>"));
        // Phi-2 (also the LLM of Moondream2): the parallel LayerNorm block, NeoX rotary over part of each head
        add(new LlmArchitecture("phi2", true, false, true, "", ""));
    }

    private LlmArchitectures() {
    }

    private static void add(LlmArchitecture a) {
        ARCHITECTURES.put(a.name(), a);
    }

    /** The names this engine runs, in the order they were added. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(ARCHITECTURES.keySet());
    }

    /** The architecture named {@code name}, or null when the engine does not run it. */
    public static LlmArchitecture named(String name) {
        return ARCHITECTURES.get(name);
    }

    /** The architecture of an LLM file, refused with the supported names when the engine does not run it. */
    public static LlmArchitecture of(GgufFile f) throws GgufFormatException {
        String name = f.architecture();
        LlmArchitecture a = ARCHITECTURES.get(name);
        if (a == null) {
            throw new GgufFormatException(f.path() + ": architecture '" + name + "' is not supported ("
                    + String.join(", ", names()) + ")");
        }
        return a;
    }
}
