package dev.fovea.cli;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.PromptAssembler;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt (through the model's chat template unless --raw).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "LLM GGUF file.")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "Prompt (the user message unless --raw).")
    String prompt;

    @Option(names = "--system", description = "System message (chat template only).")
    String system;

    @Option(names = "--mmproj", description = "mmproj GGUF for --image (vision encoder + projector).")
    Path mmproj;

    @Option(names = "--image", description = "Image file (repeatable; needs --mmproj). With --raw the image goes between --prompt and --suffix; otherwise into the user message before the prompt text.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--anyres-layout", defaultValue = "huggingface",
            description = "How LLaVA-1.6 tiles are assembled: huggingface (unpadded, a newline embedding per row) or "
                    + "llama.cpp (the whole tile grid, no newlines: llama.cpp's layout) (default: ${DEFAULT-VALUE}).")
    String anyResLayout;

    @Option(names = "--suffix", description = "With --raw: text after the image(s), tokenized without BOS.")
    String suffix;

    @Option(names = "--raw", description = "No chat template: tokenize the prompt as given (BOS per the vocab).")
    boolean raw;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "128", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object with tokens, text and timings.")
    boolean json;

    @Mixin
    OutputFormatOptions format;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    EngineOptions engine;

    /** Each image as the prompt places it (MiniCPM-V: its source view and slices among their wrapper text). */
    private List<VisionModel.PromptImage> embedImages(LanguageModel lm) throws Exception {
        if (images.isEmpty()) {
            return List.of();
        }
        List<VisionModel.PromptImage> out = new ArrayList<>();
        try (VisionModel vm = VisionModel.open(mmproj, engine.pool(), ImageDecoder.DEFAULT_MAX_PIXELS,
                AnyResLayout.named(anyResLayout))) {
            ChatInput.checkFits(vm, lm);
            for (Path p : images) {
                out.add(vm.embedForPrompt(ImageFiles.read(p)));
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (!images.isEmpty() && mmproj == null) {
            throw new IllegalArgumentException("--image needs --mmproj (the vision encoder + projector GGUF)");
        }
        // before loading the weights: the prompt takes at least one position
        ModelContext.checkTokens("-n/--max-tokens", maxTokens, 1, "a prompt of at least one position",
                ModelContext.of(model));
        try (LanguageModel lm = LanguageModel.open(model, engine.pool(), engine.progress())) {
            List<VisionModel.PromptImage> embeddings = embedImages(lm);
            List<Segment> input = new ArrayList<>();
            if (raw) {
                // exactly a conformance vlm case: prompt (BOS per vocab), image embeddings, suffix (no BOS); a
                // MiniCPM-V image with its wrapper text, each piece tokenized alone as minicpmv-cli does
                input.add(Segment.tokens(lm.tokenizer().encode(prompt, true, true)));
                for (VisionModel.PromptImage image : embeddings) {
                    input.addAll(PromptAssembler.place(lm.tokenizer(), image));
                }
                if (suffix != null) {
                    input.add(Segment.tokens(lm.tokenizer().encode(suffix, false, true)));
                }
            } else {
                if (suffix != null) {
                    throw new IllegalArgumentException("--suffix only applies with --raw");
                }
                input = ChatInput.userTurn(lm, system, embeddings, prompt);
            }
            int[] promptTokens = input.stream().filter(s -> s instanceof Segment.Tokens)
                    .flatMapToInt(s -> java.util.Arrays.stream(((Segment.Tokens) s).ids())).toArray();
            GenerationConfig cfg = new GenerationConfig(maxTokens, sampling.toConfig(), stop, false,
                    format.constraint());
            TokenListener printer = json ? TokenListener.NONE : (token, text) -> {
                System.out.print(text);
                System.out.flush();
                return true;
            };
            GenerationResult r = new Generator(lm).generate(input, cfg, printer);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("prompt_tokens", promptTokens);
                out.put("tokens", r.tokens());
                out.put("text", r.text());
                out.put("finish_reason", r.finishReason().name().toLowerCase());
                out.put("timings", Map.of(
                        "prompt_ms", r.promptMillis(),
                        "prompt_tokens_per_second", r.promptTokensPerSecond(),
                        "decode_ms", r.decodeMillis(),
                        "decode_tokens_per_second", r.decodeTokensPerSecond()));
                System.out.println(Json.write(out));
            } else {
                System.out.println();
                System.err.printf("prompt: %d tokens in %.1f ms (%.1f tok/s); generated %d tokens (%.1f tok/s); %s%n",
                        r.promptTokens(), r.promptMillis(), r.promptTokensPerSecond(), r.tokens().length,
                        r.decodeTokensPerSecond(), r.finishReason().name().toLowerCase());
            }
        }
        return 0;
    }
}
