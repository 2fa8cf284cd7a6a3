package dev.fovea.cli;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize text with a GGUF model's vocabulary (BOS per the vocab, special tokens parsed).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file (a full model or a vocab-only file).")
    Path model;

    @Option(names = "--text", required = true, description = "Text to tokenize.")
    String text;

    @Option(names = "--no-bos", description = "Do not add BOS/EOS even where the vocab asks for them.")
    boolean noBos;

    @Option(names = "--no-special", description = "Treat special-token text as plain text.")
    boolean noSpecial;

    @Option(names = "--json", description = "Print {\"ids\":[...]} instead of one id per line with its piece.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (GgufFile f = GgufFile.open(model)) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            int[] ids = tok.encode(text, !noBos, !noSpecial);
            if (json) {
                System.out.println(Json.write(Map.of("ids", ids)));
            } else {
                for (int id : ids) {
                    System.out.printf("%6d -> '%s'%n", id, tok.tokenText(id));
                }
            }
        }
        return 0;
    }
}
