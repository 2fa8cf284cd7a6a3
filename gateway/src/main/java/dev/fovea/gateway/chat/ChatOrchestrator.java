package dev.fovea.gateway.chat;

import dev.fovea.engine.pipeline.PromptAssembler;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.RequestLog;
import dev.fovea.gateway.backend.LlmDescriptions;
import dev.fovea.gateway.backend.LlmGeneration;
import dev.fovea.gateway.backend.PromptBlocks;
import dev.fovea.gateway.backend.ReplicaRouter;
import dev.fovea.gateway.pipeline.EncoderSelection;
import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import dev.fovea.proto.v1.Embeddings;
import dev.fovea.proto.v1.Finished;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmInfo;
import dev.fovea.proto.v1.Sampling;
import dev.fovea.proto.v1.Segment;
import dev.fovea.proto.v1.TokenIds;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One chat completion across the pipeline: template, then tokenization and every image's encode → project in
 * parallel, then the streamed generation. Everything runs in one cancellable gRPC context per request, so
 * {@link Cancellation#cancel()} (the client went away) cancels whatever backend calls are in flight.
 */
@ApplicationScoped
public class ChatOrchestrator {
    private static final Logger LOG = Logger.getLogger(ChatOrchestrator.class);

    private final PipelineRegistry registry;
    private final LlmDescriptions descriptions;
    private final PromptRenderer renderer;
    private final PromptTokenizer tokenizer;
    private final ImageLoader images;
    private final ImageEmbedder embedder;
    private final LlmGeneration generation;
    private final GatewayMetrics metrics;
    private final GatewaySettings settings;
    private final ReplicaRouter router;

    ChatOrchestrator(PipelineRegistry registry, LlmDescriptions descriptions, PromptRenderer renderer,
                     PromptTokenizer tokenizer, ImageLoader images, ImageEmbedder embedder, LlmGeneration generation,
                     GatewayMetrics metrics, GatewaySettings settings, ReplicaRouter router) {
        this.router = router;
        this.registry = registry;
        this.descriptions = descriptions;
        this.renderer = renderer;
        this.tokenizer = tokenizer;
        this.images = images;
        this.embedder = embedder;
        this.generation = generation;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Stops a running completion. */
    public interface Cancellation {
        void cancel();
    }

    /**
     * Starts {@code request} on a virtual thread; its outcome goes to {@code sink}, counted under {@code api}, its
     * failures logged under {@code requestId} (4xx at INFO, one line; 5xx at WARN; unexpected ones with their stack
     * trace at ERROR, once).
     */
    public Cancellation start(ChatCompletionRequest request, String api, boolean stream, ChatSink sink,
                              String requestId) {
        long arrived = System.nanoTime();
        String modelTag = registry.find(request.model()).isPresent() ? request.model() : "unknown";
        MeteredSink metered = new MeteredSink(sink, modelTag, api, stream, arrived, requestId);
        Context.CancellableContext context = Context.ROOT.withCancellation();
        Thread.ofVirtual().name("chat-" + api).start(() -> context.run(() -> {
            try {
                run(request, metered, requestId);
            } catch (ApiException e) {
                metered.failed(e);
                context.cancel(null);
            } catch (RuntimeException e) {
                LOG.errorf(e, "request %s (%s): chat completion failed unexpectedly", requestId, api);
                metered.failed(ApiException.internal());
                context.cancel(null);
            }
        }));
        return () -> {
            metered.cancelled();
            context.cancel(null);
        };
    }

    private void run(ChatCompletionRequest request, ChatSink sink, String requestId) {
        PipelineConfig pipeline = registry.find(request.model())
                .orElseThrow(() -> ApiException.unknownModel(request.model()));
        int imageCount = request.images().size();
        if (imageCount > settings.maxImages()) {
            throw ApiException.badRequest("at most " + settings.maxImages() + " images per request, got "
                    + imageCount, "messages", "too_many_images");
        }
        if (imageCount > 0 && pipeline.encoders().isEmpty()) {
            throw ApiException.badRequest("model '" + pipeline.model() + "' takes no images", "messages",
                    "images_not_supported");
        }
        EncoderSelection selection = pipeline.encoders().isEmpty() && request.encoders() == null ? null
                : PipelineRegistry.select(pipeline, request.encoders());
        // the cheap checks against the model's context come before any image is loaded or any text rendered
        LlmInfo info = await(descriptions.get(pipeline.llm()));
        ContextBudget budget = new ContextBudget(info.getContextLength(), settings.defaultMaxTokens());
        budget.checkRequested(request.maxTokens());
        long promptLimit = (long) budget.context() * settings.maxPromptCharsPerToken();
        checkPromptSize(textLength(request.messages()), promptLimit, "the messages' text");

        List<LoadedImage> loaded = new ArrayList<>();
        for (int i = 0; i < imageCount; i++) {
            loaded.add(images.load(request.images().get(i), i));
        }
        metrics.images(pipeline.model(), imageCount);

        // images go to the encoders while the prompt is rendered and tokenized
        List<CompletableFuture<PlacedImage>> placing = loaded.stream()
                .map(img -> embedder.place(pipeline, selection, img)).toList();
        List<PlacedImage> placed = placing.stream().map(ChatOrchestrator::await).toList();
        // one entry per image place of the prompt: an image, or one input of a MiniCPM-V image
        List<CompletableFuture<Embeddings>> embeddings;
        List<int[]> pieces;
        if (request.raw() != null && request.raw().ids() != null) {
            pieces = List.of(request.raw().ids());
            embeddings = placed.stream().flatMap(p -> p.inputs().stream()).toList();
        } else {
            String rendered = request.raw() != null ? request.raw().text()
                    : renderer.render(pipeline, info, withTools(request));
            checkPromptSize(rendered.length(), promptLimit, "the rendered prompt");
            PromptAssembler.Expanded<CompletableFuture<Embeddings>> expanded;
            try {
                // MiniCPM-V's <image>/<slice> text around its inputs, as the engine writes it; others unchanged
                expanded = PromptAssembler.expandLayouts(rendered, placed.stream().map(PlacedImage::layout).toList(),
                        placed.stream().map(PlacedImage::inputs).toList());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage() + " (the chat template may drop images from some roles)",
                        "messages", "invalid_messages");
            }
            embeddings = expanded.images();
            pieces = await(tokenizer.tokenize(pipeline.llm(), info, expanded.rendered(), embeddings.size()));
        }

        // the LLM service's log lines then carry the gateway's request id
        GenerateRequest.Builder generate = GenerateRequest.newBuilder().setRequestId(requestId)
                .addAllStop(request.stop()).setSampling(sampling(request.sampling()));
        if (request.tools() != null && request.tools().active() && request.tools().callRequired()) {
            generate.setFormat(dev.fovea.proto.v1.OutputFormat.newBuilder()
                    .setJsonSchema(request.tools().callConstraintSchema()));
        } else if (request.format().toProto() != null) {
            generate.setFormat(request.format().toProto());
        }
        if (request.topLogprobs() >= 0) {
            generate.setLogprobs(true).setTopLogprobs(request.topLogprobs());
        }
        long positions = 0;
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).length > 0) {
                TokenIds.Builder ids = TokenIds.newBuilder();
                for (int id : pieces.get(i)) {
                    ids.addIds(id);
                }
                generate.addSegments(Segment.newBuilder().setTokens(ids));
                positions += pieces.get(i).length;
            }
            if (i < embeddings.size()) {
                Embeddings e = await(embeddings.get(i));
                positions += e.getData().getShapeCount() > 0 ? e.getData().getShape(0) : 0;
                generate.addSegments(Segment.newBuilder().setEmbeddings(e));
            }
        }
        generate.setMaxTokens(budget.maxTokens(positions, request.maxTokens()));
        LoadedImage first = loaded.isEmpty() ? null : loaded.get(0);
        GenerateRequest ready = generate.build();
        PromptBlocks blocks = router.blocks(ready);
        generation.generate(router.llm(pipeline.llm(), blocks), ready, new Collector(sink, first,
                request.tools() != null && request.tools().active() ? request.tools() : null,
                request.topLogprobs() >= 0), replica -> router.served(blocks, replica));
    }

    /**
     * Text past what the context can hold is refused by its length, before the template or the tokenizer spend
     * memory and time on it (fovea.gateway.max-prompt-chars-per-token characters per context position).
     */
    private void checkPromptSize(long chars, long limit, String what) {
        if (chars > limit) {
            throw ApiException.badRequest(what + " holds " + chars + " characters, more than this model's context "
                    + "can take (" + limit + " = its context length × fovea.gateway.max-prompt-chars-per-token "
                    + settings.maxPromptCharsPerToken() + ")", "messages", ContextBudget.CODE);
        }
    }

    private static long textLength(List<ChatMessage> messages) {
        long n = 0;
        for (ChatMessage m : messages) {
            for (ChatMessage.Part p : m.parts()) {
                if (p instanceof ChatMessage.Text t) {
                    n += t.text().length();
                }
            }
        }
        return n;
    }

    private static Sampling sampling(SamplingParams p) {
        Sampling.Builder s = Sampling.newBuilder().setTemperature(p.temperature()).setTopP(p.topP())
                .setTopK(p.topK()).setMinP(p.minP()).setRepetitionPenalty(p.repetitionPenalty())
                .setPresencePenalty(p.presencePenalty()).setFrequencyPenalty(p.frequencyPenalty())
                .putAllLogitBias(p.logitBias());
        if (p.seed() != null) {
            s.setSeed(p.seed()).setHasSeed(true);
        }
        return s.build();
    }

    /**
     * The messages with the tools offered in a system message (merged into the request's own system message, which
     * templates allow only first), and earlier tool calls and results written as the model is asked to write them.
     */
    private static List<ChatMessage> withTools(ChatCompletionRequest request) {
        if (request.tools() == null || !request.tools().active()) {
            return request.messages();
        }
        List<ChatMessage> out = new ArrayList<>(request.messages().size() + 1);
        String offer = request.tools().systemPrompt();
        List<ChatMessage> rest = request.messages();
        if (!rest.isEmpty() && rest.get(0).role().equals("system")) {
            offer = textOf(rest.get(0)) + "\n\n" + offer;
            rest = rest.subList(1, rest.size());
        }
        out.add(ChatMessage.text("system", offer));
        out.addAll(rest);
        return out;
    }

    private static String textOf(ChatMessage m) {
        StringBuilder b = new StringBuilder();
        for (ChatMessage.Part p : m.parts()) {
            if (p instanceof ChatMessage.Text t) {
                b.append(t.text());
            }
        }
        return b.toString();
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof ApiException a) {
                throw a;
            }
            if (e.getCause() instanceof CompletionException c && c.getCause() instanceof ApiException a) {
                throw a;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        }
    }

    /** Gathers the stream into the outcome while passing tokens on. */
    private static final class Collector implements StreamObserver<GenerateEvent> {
        private final ChatSink sink;
        private final LoadedImage image;
        private final ToolSpec tools;
        private final StringBuilder text = new StringBuilder();
        private final List<Integer> ids = new ArrayList<>();
        /** null when the request did not ask for log-probabilities. */
        private final List<TokenLogprob> logprobs;
        private Finished finished;

        Collector(ChatSink sink, LoadedImage image, ToolSpec tools, boolean logprobs) {
            this.sink = sink;
            this.image = image;
            this.tools = tools;
            this.logprobs = logprobs ? new ArrayList<>() : null;
        }

        @Override
        public void onNext(GenerateEvent e) {
            if (e.hasToken()) {
                var t = e.getToken();
                text.append(t.getText());
                if (t.getId() >= 0) {
                    ids.add(t.getId());
                }
                TokenLogprob lp = null;
                if (t.hasLogprob()) {
                    List<TokenLogprob> top = new ArrayList<>(t.getTopLogprobsCount());
                    for (var alt : t.getTopLogprobsList()) {
                        top.add(logprob(alt, List.of()));
                    }
                    lp = logprob(t.getLogprob(), top);
                    if (logprobs != null) {
                        logprobs.add(lp);
                    }
                }
                // a call is not streamed as content: it comes whole, as tool_calls, when the answer is finished
                sink.token(t.getId(), tools != null ? "" : t.getText(), lp);
            } else if (e.hasFinished()) {
                finished = e.getFinished();
            }
        }

        @Override
        public void onError(Throwable t) {
            if (t instanceof ApiException a) {
                sink.failed(a);
            } else {
                LOG.error("the generation stream failed unexpectedly", t);
                sink.failed(ApiException.internal());
            }
        }

        @Override
        public void onCompleted() {
            if (finished == null) {
                sink.failed(ApiException.unavailable("the LLM service ended the stream without finishing"));
                return;
            }
            String s = text.toString();
            String reason = finished.getFinishReason();
            List<ToolCall> calls = List.of();
            if (tools != null) {
                var call = tools.parseCall(s);
                if (call.isPresent()) {
                    calls = List.of(call.get());
                    reason = "tool_calls";
                    s = "";
                }
            }
            sink.finished(new ChatOutcome(reason, finished.getPromptTokens(), finished.getCompletionTokens(), s,
                    List.copyOf(ids), image == null ? List.of() : Grounding.boxes(s, image.width(), image.height()),
                    calls, logprobs == null ? null : List.copyOf(logprobs), finished.getCachedPromptTokens()));
        }

        private static TokenLogprob logprob(dev.fovea.proto.v1.TokenLogprob p, List<TokenLogprob> top) {
            byte[] bytes = p.getBytes().toByteArray();
            return new TokenLogprob(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), bytes,
                    p.getLogprob(), top);
        }
    }

    /** Records the request's meters once, whichever way it ends, and drops events after the end. */
    private final class MeteredSink implements ChatSink {
        private final ChatSink delegate;
        private final String model;
        private final String api;
        private final boolean stream;
        private final long arrived;
        private final String requestId;
        private final AtomicBoolean ended = new AtomicBoolean();
        private boolean first = true;

        MeteredSink(ChatSink delegate, String model, String api, boolean stream, long arrived, String requestId) {
            this.requestId = requestId;
            this.delegate = delegate;
            this.model = model;
            this.api = api;
            this.stream = stream;
            this.arrived = arrived;
        }

        @Override
        public void token(int id, String text) {
            token(id, text, null);
        }

        @Override
        public void token(int id, String text, TokenLogprob logprob) {
            if (ended.get()) {
                return;
            }
            if (first) {
                first = false;
                metrics.timeToFirstToken(model, System.nanoTime() - arrived);
            }
            delegate.token(id, text, logprob);
        }

        @Override
        public void finished(ChatOutcome outcome) {
            if (ended.compareAndSet(false, true)) {
                metrics.request(model, api, stream, 200, System.nanoTime() - arrived);
                delegate.finished(outcome);
            }
        }

        @Override
        public void failed(ApiException error) {
            if (ended.compareAndSet(false, true)) {
                metrics.request(model, api, stream, error.status(), System.nanoTime() - arrived);
                RequestLog.failed(requestId, api, error);
                delegate.failed(error);
            }
        }

        /** The client went away: counted as nginx's 499, nothing more is sent. */
        void cancelled() {
            if (ended.compareAndSet(false, true)) {
                metrics.request(model, api, stream, 499, System.nanoTime() - arrived);
            }
        }
    }
}
