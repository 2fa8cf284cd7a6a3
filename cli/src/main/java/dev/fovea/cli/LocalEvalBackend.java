package dev.fovea.cli;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.shapesworld.TestQuestion;
import dev.fovea.shapesworld.TestSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine in this process, as {@code fovea generate --model LLM --mmproj MMPROJ --image F} runs it: the image
 * through the mmproj's tower and projector (or, for a pipeline of several towers, through each tower and then the
 * adapter that joins them), the question after it in the chat template, greedy decoding.
 */
final class LocalEvalBackend implements EvalBackend {
    private final String model;
    private final Path llm;
    private final List<Path> towers;
    private final Path adapter;
    private final AnyResLayout layout;
    private final EngineOptions engine;
    private final int maxTokens;

    LocalEvalBackend(String model, Path llm, Path mmproj, EngineOptions engine, int maxTokens) {
        this(model, llm, List.of(mmproj), mmproj, AnyResLayout.HUGGING_FACE, engine, maxTokens);
    }

    /**
     * {@code towers}: one mmproj, whose projector is {@code adapter} when that is the same file; else several.
     * {@code layout}: how a single mmproj's AnyRes tiles are laid out (its pipeline file's {@code anyres_layout}).
     */
    LocalEvalBackend(String model, Path llm, List<Path> towers, Path adapter, AnyResLayout layout,
                     EngineOptions engine, int maxTokens) {
        this.model = model;
        this.llm = llm;
        this.towers = List.copyOf(towers);
        this.adapter = adapter;
        this.layout = layout;
        this.engine = engine;
        this.maxTokens = maxTokens;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public List<String> answers(TestSet set, ConsoleProgress progress) throws Exception {
        ModelContext.checkTokens("--max-tokens", maxTokens, 1, "a prompt of at least one position",
                ModelContext.of(llm));
        Parallel pool = engine.pool();
        List<TestQuestion> questions = set.questions();
        List<String> out = new ArrayList<>();
        try (LanguageModel lm = LanguageModel.open(llm, pool, engine.progress());
                VisionModel vm = towers.size() == 1 && towers.getFirst().equals(adapter)
                        ? VisionModel.open(adapter, pool, ImageDecoder.DEFAULT_MAX_PIXELS, layout)
                        : VisionModel.openFused(towers, adapter, pool, ImageDecoder.DEFAULT_MAX_PIXELS)) {
            ChatInput.checkFits(vm, lm);
            Generator generator = new Generator(lm);
            GenerationConfig greedy = GenerationConfig.greedy(maxTokens);
            // a test set asks several questions about an image in a row: embed it once for them
            String embeddedImage = null;
            VisionModel.PromptImage embedding = null;
            progress.update("eval", 0, questions.size());
            for (TestQuestion q : questions) {
                if (!q.image().equals(embeddedImage)) {
                    embedding = vm.embedForPrompt(ImageFiles.read(set.imageFile(q)));
                    embeddedImage = q.image();
                }
                List<Segment> input = ChatInput.userTurn(lm, null, List.of(embedding), q.question());
                out.add(generator.generate(input, greedy, TokenListener.NONE).text());
                progress.update("eval", out.size(), questions.size());
            }
        }
        return out;
    }
}
