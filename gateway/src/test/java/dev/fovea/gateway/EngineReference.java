package dev.fovea.gateway;

import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.tensor.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The single-process engine on the test's model: what the distributed pipeline must reproduce token for token. */
final class EngineReference {
    private static LanguageModel model;

    private EngineReference() {
    }

    static synchronized LanguageModel model() {
        if (model == null) {
            try {
                model = LanguageModel.open(LlmServiceProcess.modelPath(), Parallel.shared(), Progress.NONE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    static GenerationResult greedy(List<Segment> input, int maxTokens) {
        return new Generator(model()).generate(input, GenerationConfig.greedy(maxTokens), TokenListener.NONE);
    }

    static int positions(List<Segment> input) {
        int n = 0;
        for (Segment s : input) {
            n += s.length();
        }
        return n;
    }
}
