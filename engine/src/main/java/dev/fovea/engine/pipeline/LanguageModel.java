package dev.fovea.engine.pipeline;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** An LLM GGUF opened for use: the mapped file, the decoder and the tokenizer from its metadata. */
public final class LanguageModel implements AutoCloseable {
    private final GgufFile file;
    private final DecoderModel decoder;
    private final Tokenizer tokenizer;

    private LanguageModel(GgufFile file, DecoderModel decoder, Tokenizer tokenizer) {
        this.file = file;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
    }

    public static LanguageModel open(Path path, Parallel pool, Progress progress) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            Tokenizer tok = Tokenizer.fromGguf(f);
            DecoderModel dec = DecoderModel.load(f, pool, progress);
            if (tok.vocabSize() > dec.config().vocabSize()) {
                throw new IOException(path + ": tokenizer has " + tok.vocabSize() + " tokens but the embedding only "
                        + dec.config().vocabSize() + " rows");
            }
            return new LanguageModel(f, dec, tok);
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

    @Override
    public void close() {
        file.close();
    }
}
