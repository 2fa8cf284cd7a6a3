package dev.fovea.training;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.PromptAssembler;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * How a question about one image becomes tokens, computed by the engine's own code (the model's chat template,
 * {@link PromptAssembler}, the SentencePiece tokenizer on {@link ShapesVocabulary}) so that training sees exactly
 * the tokens the served model is given: {@code <s>USER: [image] What color is the star? ASSISTANT:}, and the answer
 * {@code ▁red</s>}.
 */
final class PromptLayout {
    /** LLaVA-1.5's turn layout; the image goes first in the user's turn wherever the client put it. */
    static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] == 'system' %}{{ message['content'] | trim }}\n"
            + "{% elif message['role'] == 'user' %}{% if not loop.first %} {% endif %}USER:"
            + "{% if '" + ChatTemplate.IMAGE_MARKER + "' in message['content'] %} " + ChatTemplate.IMAGE_MARKER + "{% endif %}"
            + " {{ message['content'] | replace('" + ChatTemplate.IMAGE_MARKER + "', '') | trim }}"
            + "{% elif message['role'] == 'assistant' %} ASSISTANT: {{ message['content'] | trim }}{{ eos_token }}"
            + "{% endif %}{% endfor %}{% if add_generation_prompt %} ASSISTANT:{% endif %}";

    private final ShapesVocabulary vocab;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final int[] prefix;

    PromptLayout(ShapesVocabulary vocab) {
        this.vocab = vocab;
        this.tokenizer = engineTokenizer(vocab);
        this.template = ChatTemplate.of(CHAT_TEMPLATE, "<s>", "</s>");
        this.prefix = split("?")[0];
    }

    private static Tokenizer engineTokenizer(ShapesVocabulary vocab) {
        try {
            Path tmp = Files.createTempFile("shapes-vocab", ".gguf");
            try {
                try (GgufWriter w = GgufWriter.create(tmp)) {
                    w.putString(GgufKeys.ARCHITECTURE, "llama");
                    vocab.writeTo(w, CHAT_TEMPLATE);
                    w.writeHeader();
                }
                try (GgufFile f = GgufFile.open(tmp)) {
                    return Tokenizer.fromGguf(f);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The tokens before the image (BOS included); the same for every question. */
    int[] prefix() {
        return prefix.clone();
    }

    /** The tokens after the image for {@code question}, up to and including the generation prompt. */
    int[] question(String question) {
        return split(question)[1];
    }

    /** The answer's tokens as the model must generate them, ending with EOS. */
    int[] answer(String answer) {
        int[] ids = tokenizer.encode(" " + answer.trim(), false, false);
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = ShapesVocabulary.EOS;
        return out;
    }

    private int[][] split(String question) {
        ChatMessage user = new ChatMessage("user", List.of(new ChatMessage.Image(0), new ChatMessage.Text(question)));
        String rendered = template.render(List.of(user), true);
        List<Segment> segments = PromptAssembler.assemble(tokenizer, rendered, List.of(new Segment.Embeddings(new float[0], 0)));
        if (segments.size() != 3 || !(segments.get(0) instanceof Segment.Tokens(int[] before))
                || !(segments.get(2) instanceof Segment.Tokens(int[] after))) {
            throw new IllegalStateException("the template does not put text on both sides of the image: " + rendered);
        }
        return new int[][] {before, after};
    }

    ShapesVocabulary vocab() {
        return vocab;
    }
}
