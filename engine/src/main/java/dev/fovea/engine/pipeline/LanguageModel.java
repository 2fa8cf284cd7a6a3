package dev.fovea.engine.pipeline;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.LlmArchitecture;
import dev.fovea.engine.llm.LlmArchitectures;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.engine.template.TemplateException;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** An LLM GGUF opened for use: the mapped file, the decoder and the tokenizer from its metadata. */
public final class LanguageModel implements AutoCloseable {
    private final GgufFile file;
    private final DecoderModel decoder;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;

    private LanguageModel(GgufFile file, DecoderModel decoder, Tokenizer tokenizer, ChatTemplate chatTemplate) {
        this.file = file;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
    }

    public static LanguageModel open(Path path, Parallel pool, Progress progress) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            if (GgufKeys.CLIP_ARCHITECTURE.equals(f.getString(GgufKeys.ARCHITECTURE, ""))) {
                throw new GgufFormatException("this is an mmproj file (vision encoder + projector, general.architecture"
                        + " = clip), not a language model: pass it as the mmproj (--mmproj) and the LLM GGUF as the"
                        + " model");
            }
            Tokenizer tok = Tokenizer.fromGguf(f);
            DecoderModel dec = DecoderModel.load(f, pool, progress);
            if (tok.vocabSize() > dec.config().vocabSize()) {
                throw new IOException(path + ": tokenizer has " + tok.vocabSize() + " tokens but the embedding only "
                        + dec.config().vocabSize() + " rows");
            }
            return new LanguageModel(f, dec, tok, ChatTemplate.forModel(f, tok));
        } catch (GgufFormatException | IllegalArgumentException | TemplateException e) {
            f.close();
            throw GgufFormatException.naming(path, e);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public GgufFile file() {
        return file;
    }

    public DecoderModel decoder() {
        return decoder;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The model's chat template ({@code tokenizer.chat_template}), or ChatML when it has none. */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    /**
     * The input for a chat: the rendered template tokenized, with each image's embeddings (in order of appearance)
     * where its marker is.
     */
    public List<Segment> chatInput(List<ChatMessage> messages, List<Segment.Embeddings> images) {
        return chatInputPlaced(messages, images.stream().map(VisionModel.PromptImage::whole).toList());
    }

    /**
     * As {@link #chatInput}, each image placed by its layout (MiniCPM-V's {@code <image>}/{@code <slice>} text around
     * its source view and slices; one block for other models).
     */
    public List<Segment> chatInputPlaced(List<ChatMessage> messages, List<VisionModel.PromptImage> images) {
        LlmArchitecture arch = LlmArchitectures.named(decoder.config().arch());
        String rendered = chatTemplate.render(messages, true);
        if (arch != null) {
            rendered = PromptAssembler.wrapImages(rendered, arch.imageStart(), arch.imageEnd());
        }
        PromptAssembler.Expanded<Segment.Embeddings> expanded = PromptAssembler.expandSliced(rendered, images);
        return PromptAssembler.assemble(tokenizer, expanded.rendered(), expanded.images());
    }

    @Override
    public void close() {
        file.close();
    }
}
