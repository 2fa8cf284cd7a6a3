package dev.fovea.engine.llm;

/**
 * How one {@code general.architecture} differs from llama's decoder block where the engine runs it: the rotary
 * pairing. Projection biases ({@code attn_q.bias} …) are loaded whenever a file has them.
 *
 * @param name     the {@code general.architecture} value, also the prefix of the LLM's metadata keys
 * @param ropeNeox rotate pairs (i, i + d/2) (GPT-NeoX style, qwen2) instead of adjacent pairs (2i, 2i+1) (llama)
 * @param multiSectionRope positions in four streams (temporal, height, width, extra) turning sections of the
 *                 pairs, sized by {@code <arch>.rope.dimension_sections} (Qwen2-VL's M-RoPE): image rows get their
 *                 grid row and column, and a query sees the keys whose temporal position is not later than its own
 * @param phiBlock  phi2's block instead of llama's: LayerNorm with bias (epsilon {@code <arch>.attention.layer_norm_epsilon}),
 *                  attention and a GELU MLP both reading that one norm's output and added to the residual together,
 *                  biases on every projection, no {@code ffn_norm} and no gate; the output norm is a LayerNorm and
 *                  the output matrix has a bias
 * @param imageStart text the family puts right before an image's embeddings ({@code <|vision_start|>} for Qwen2-VL;
 *                   empty when the chat template places images by itself)
 * @param imageEnd   text right after them
 */
public record LlmArchitecture(String name, boolean ropeNeox, boolean multiSectionRope, boolean phiBlock,
                              String imageStart, String imageEnd) {

    LlmArchitecture(String name, boolean ropeNeox) {
        this(name, ropeNeox, false, false, "", "");
    }
}
