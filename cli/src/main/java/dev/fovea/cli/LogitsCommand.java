package dev.fovea.cli;

import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "logits", mixinStandardHelpOptions = true,
        description = {"Evaluate a prompt (tokenized as given: BOS per the vocab, special tokens parsed, no template)",
                "and write PREFIX.json, PREFIX.prompt_logits.f32 ([n_tokens][n_vocab]) and PREFIX.last_logits.f32."})
final class LogitsCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "LLM GGUF file.")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "Prompt text.")
    String prompt;

    @Option(names = {"-o", "--out"}, required = true, description = "Output prefix.")
    Path out;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        try (LanguageModel lm = LanguageModel.open(model, engine.pool(), engine.progress())) {
            int[] ids = lm.tokenizer().encode(prompt, true, true);
            if (ids.length == 0) {
                throw new IllegalArgumentException("the prompt tokenizes to nothing");
            }
            int context = lm.decoder().config().contextLength();
            if (ids.length > context) {
                throw new IllegalArgumentException("the prompt's " + ids.length + " tokens exceed the model's context of "
                        + context + " positions");
            }
            KvCache cache = lm.decoder().newCache(ids.length);
            float[] logits = lm.decoder().forward(cache, List.of(Segment.tokens(ids)), true);
            int vocab = lm.decoder().config().vocabSize();
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(Path.of(out + ".json"), Json.write(Map.of("prompt_tokens", ids, "n_vocab", vocab)));
            Float32Files.write(Path.of(out + ".prompt_logits.f32"), logits, 0, logits.length);
            Float32Files.write(Path.of(out + ".last_logits.f32"), logits, (ids.length - 1) * vocab, vocab);
            System.err.printf("wrote %s.{json,prompt_logits.f32,last_logits.f32}: %d tokens × %d logits%n", out,
                    ids.length, vocab);
        }
        return 0;
    }
}
