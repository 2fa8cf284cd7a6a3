package dev.fovea.llmservice;

import dev.fovea.engine.Progress;
import dev.fovea.engine.pipeline.BatchScheduler;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.VectorWidth;
import dev.fovea.engine.tokenizer.Tokenizer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** The loaded model and its continuous-batching scheduler; one per process. */
@ApplicationScoped
@Startup
public class LlmRuntime {
    private static final Logger LOG = Logger.getLogger(LlmRuntime.class);
    private static final long MB = 1L << 20;

    private final LanguageModel model;
    private final BatchScheduler scheduler;
    private final long maxTextBytes;
    private final int maxBatch;

    LlmRuntime(LlmSettings settings, MeterRegistry registry) throws IOException {
        if (settings.model().isBlank()) {
            throw new IllegalStateException("fovea.llm.model (env FOVEA_LLM_MODEL) must name an LLM GGUF file");
        }
        Parallel pool = settings.threads() > 0 ? Parallel.create(settings.threads()) : Parallel.shared();
        long[] lastLogged = {0};
        Progress progress = (stage, done, total) -> {
            long pct = total > 0 ? 100 * done / total : 100;
            if (pct >= lastLogged[0] + 25 || done == total) {
                lastLogged[0] = pct;
                LOG.infof("%s %d%%", stage, pct);
            }
        };
        model = LanguageModel.open(Path.of(settings.model()), pool, progress);
        scheduler = new BatchScheduler(model.decoder(), model.tokenizer(), new BatchScheduler.Config(
                settings.maxBatch(), settings.kvBudgetMb() * MB, settings.prefixCacheMb() * MB, settings.maxQueue()));
        maxBatch = settings.maxBatch();
        maxTextBytes = (long) model.decoder().config().contextLength() * longestTokenBytes(model.tokenizer());
        if (VectorWidth.warning() != null) {
            LOG.warn(VectorWidth.warning());
        }
        LOG.infof("serving %s (%s, %d layers) with %d threads, batch ≤ %d", settings.model(),
                model.decoder().config().arch(), model.decoder().config().blockCount(), pool.threads(),
                settings.maxBatch());
        Gauge.builder("fovea.llm.running", scheduler, s -> s.stats().running())
                .description("sequences in the decode batch").register(registry);
        Gauge.builder("fovea.llm.queued", scheduler, s -> s.stats().queued())
                .description("requests waiting for KV memory or a batch slot").register(registry);
        Gauge.builder("fovea.llm.kv_reserved", scheduler, s -> s.stats().kvBytesReserved()).baseUnit("bytes")
                .register(registry);
        Gauge.builder("fovea.llm.prefix_cache.hits", scheduler, s -> s.stats().prefixHits()).register(registry);
        Gauge.builder("fovea.llm.prefix_cache.misses", scheduler, s -> s.stats().prefixMisses()).register(registry);
        Gauge.builder("fovea.llm.prefix_cache.reused_positions", scheduler, s -> s.stats().reusedPositions())
                .register(registry);
    }

    /**
     * The most UTF-8 bytes a text can have and still fit the context: no token stands for more bytes than the
     * vocabulary's longest (its text or its bytes, whichever is longer), so longer text needs more positions than
     * the context has. Checking it costs nothing; tokenizing a larger text would cost memory in proportion.
     */
    long maxTextBytes() {
        return maxTextBytes;
    }

    private static int longestTokenBytes(Tokenizer tokenizer) {
        int longest = 1;
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            longest = Math.max(longest, Math.max(tokenizer.tokenBytes(id).length,
                    tokenizer.tokenText(id).getBytes(StandardCharsets.UTF_8).length));
        }
        return longest;
    }

    int maxBatch() {
        return maxBatch;
    }

    public LanguageModel model() {
        return model;
    }

    public BatchScheduler scheduler() {
        return scheduler;
    }

    @PreDestroy
    void close() {
        scheduler.close();
        model.close();
    }
}
