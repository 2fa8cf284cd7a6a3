package dev.fovea.gateway.chat;

/**
 * A prompt that skips the chat template ({@code /v1/completions}): text, tokenized as given (BOS as the vocabulary
 * says, special tokens parsed, as llama.cpp's server does), or token ids used as they are.
 */
public record RawPrompt(String text, int[] ids) {
    public RawPrompt {
        if ((text == null) == (ids == null)) {
            throw new IllegalArgumentException("a raw prompt is text or token ids");
        }
    }
}
