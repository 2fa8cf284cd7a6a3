package dev.fovea.llmservice;

import dev.fovea.engine.constrain.JsonConstraint;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.BatchScheduler;
import dev.fovea.engine.pipeline.FinishReason;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.pipeline.TokenLogprobs;
import dev.fovea.engine.sampling.SamplerConfig;
import dev.fovea.grpcsupport.DrainGate;
import dev.fovea.grpcsupport.EndOnceObserver;
import dev.fovea.grpcsupport.GrpcFailures;
import dev.fovea.grpcsupport.RequestIds;
import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.DetokenizeRequest;
import dev.fovea.proto.v1.DetokenizeResponse;
import dev.fovea.proto.v1.EmbedRequest;
import dev.fovea.proto.v1.EmbedResponse;
import dev.fovea.proto.v1.Finished;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmInfo;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.LoadRequest;
import dev.fovea.proto.v1.ReplicaLoad;
import dev.fovea.proto.v1.Sampling;
import dev.fovea.proto.v1.TokenEvent;
import dev.fovea.proto.v1.TokenizeRequest;
import dev.fovea.proto.v1.TokenizeResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** gRPC front of the scheduler: streams each token as it is sampled; a caller that goes away cancels its request. */
@GrpcService
public class LlmGrpcService extends LlmServiceGrpc.LlmServiceImplBase {
    private static final int MAX_TOKENS_DEFAULT = 256;
    private static final int MAX_STOPS = 16;
    private static final int MAX_STOP_LENGTH = 1000;

    private final LlmRuntime runtime;
    private final LlmDrain drain;
    private final Timer ttft;
    private final Timer perToken;
    private final Timer duration;
    private final DistributionSummary inputTokens;
    private final DistributionSummary outputTokens;

    LlmGrpcService(LlmRuntime runtime, LlmDrain drain, MeterRegistry registry) {
        this.runtime = runtime;
        this.drain = drain;
        // OpenTelemetry GenAI semantic-convention names
        this.ttft = Timer.builder("gen_ai.server.time_to_first_token").publishPercentileHistogram().register(registry);
        this.perToken = Timer.builder("gen_ai.server.time_per_output_token").publishPercentileHistogram()
                .register(registry);
        this.duration = Timer.builder("gen_ai.server.request.duration").publishPercentileHistogram().register(registry);
        this.inputTokens = DistributionSummary.builder("gen_ai.client.token.usage").tag("gen_ai.token.type", "input")
                .register(registry);
        this.outputTokens = DistributionSummary.builder("gen_ai.client.token.usage").tag("gen_ai.token.type", "output")
                .register(registry);
    }

    /**
     * Checks the request (sizes before copies: positions, shapes, max_tokens against the context) and queues it;
     * tokens stream from the scheduler's thread. Blocking: decoding embeddings is CPU work kept off the I/O threads.
     * A draining replica refuses the call before anything is sent, and ends it with UNAVAILABLE if it outlasts the
     * drain.
     */
    @Override
    @Blocking
    public void generate(GenerateRequest request, StreamObserver<GenerateEvent> observer) {
        String requestId = RequestIds.current();
        ServerCallStreamObserver<GenerateEvent> call = (ServerCallStreamObserver<GenerateEvent>) observer;
        EndOnceObserver<GenerateEvent> out = new EndOnceObserver<>(call);
        AtomicReference<BatchScheduler.Submission> queued = new AtomicReference<>();
        DrainGate.Pass pass;
        try {
            pass = drain.gate().enter("Generate", status -> {
                BatchScheduler.Submission s = queued.get();
                if (s != null) {
                    s.cancel();
                }
                out.onError(GrpcFailures.status(status.asRuntimeException(), requestId));
            });
        } catch (RuntimeException e) {
            observer.onError(GrpcFailures.status(e, requestId));
            return;
        }
        BatchScheduler.Submission submission;
        try {
            var cfg = runtime.model().decoder().config();
            List<Segment> input = ProtoSegments.toEngine(request.getSegmentsList(), cfg.embd(), cfg.contextLength());
            int inputLength = input.stream().mapToInt(Segment::length).sum();
            if (request.getTopLogprobs() < 0 || request.getTopLogprobs() > TokenLogprobs.MAX_TOP) {
                throw new IllegalArgumentException("top_logprobs must be between 0 and " + TokenLogprobs.MAX_TOP
                        + ", got " + request.getTopLogprobs());
            }
            GenerationConfig config = new GenerationConfig(maxTokens(request.getMaxTokens(), inputLength,
                    cfg.contextLength()), sampler(request.getSampling(), runtime.model().tokenizer().vocabSize()),
                    stops(request.getStopList()), false, constraint(request),
                    request.getLogprobs() ? request.getTopLogprobs() : -1);
            var tokenizer = runtime.model().tokenizer();
            submission = runtime.scheduler().submit(input, config, new TokenListener() {
                @Override
                public boolean onToken(int token, String text) {
                    return onToken(token, text, null);
                }

                @Override
                public boolean onToken(int token, String text, TokenLogprobs logprobs) {
                    // a cancelled caller, or a call the drain ended: stop the sequence
                    if (call.isCancelled() || out.ended()) {
                        return false;
                    }
                    TokenEvent.Builder event = TokenEvent.newBuilder().setId(token).setText(text);
                    if (logprobs != null) {
                        event.setLogprob(logprob(tokenizer, token, logprobs.logprob()));
                        for (int i = 0; i < logprobs.topIds().length; i++) {
                            event.addTopLogprobs(logprob(tokenizer, logprobs.topIds()[i], logprobs.topLogprobs()[i]));
                        }
                    }
                    out.onNext(GenerateEvent.newBuilder().setToken(event).build());
                    return true;
                }
            });
        } catch (RuntimeException e) {
            out.onError(GrpcFailures.status(e, requestId));
            pass.close();
            return;
        }
        queued.set(submission);
        call.setOnCancelHandler(submission::cancel);
        submission.result().whenComplete((r, error) -> {
            try {
                finish(r, error, submission, call, out, requestId);
            } finally {
                pass.close();
            }
        });
    }

    /** The stream's end once the scheduler is done with the request: Finished, or the failure as a status. */
    private void finish(GenerationResult r, Throwable error, BatchScheduler.Submission submission,
                        ServerCallStreamObserver<GenerateEvent> call, EndOnceObserver<GenerateEvent> out,
                        String requestId) {
        if (error != null) {
            if (!call.isCancelled()) {
                out.onError(GrpcFailures.status(error, requestId));
            }
            return;
        }
        record(r);
        if (r.finishReason() == FinishReason.CANCELLED || call.isCancelled()) {
            return;
        }
        out.last(GenerateEvent.newBuilder().setFinished(Finished.newBuilder()
                .setFinishReason(r.finishReason() == FinishReason.STOP ? "stop" : "length")
                .setPromptTokens(r.promptTokens())
                .setCompletionTokens(r.tokens().length)
                .setCachedPromptTokens(submission.cachedPositions())
                .setTimeToFirstTokenMs(r.promptMillis())).build());
    }

    /** The output constraint the request names (a schema the engine cannot enforce is INVALID_ARGUMENT). */
    static JsonConstraint constraint(GenerateRequest request) {
        if (!request.hasFormat()) {
            return null;
        }
        return switch (request.getFormat().getKindCase()) {
            case JSON_OBJECT -> JsonConstraint.anyObject();
            case JSON_SCHEMA -> JsonConstraint.schema(request.getFormat().getJsonSchema());
            case KIND_NOT_SET -> null;
        };
    }

    /**
     * The tokens a request may generate: 0 (unset) means {@value #MAX_TOKENS_DEFAULT} or what is left of the
     * context, whichever is less; a value given must fit beside the input (as OpenAI answers, not clamped), which
     * the scheduler's context rule checks before it reserves anything.
     */
    static int maxTokens(int requested, int inputLength, int context) {
        if (requested < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0 (0 = up to " + MAX_TOKENS_DEFAULT + "), got "
                    + requested);
        }
        if (inputLength >= context) {
            throw new IllegalArgumentException("input of " + inputLength + " positions does not fit the context of "
                    + context + " tokens");
        }
        return requested == 0 ? Math.min(MAX_TOKENS_DEFAULT, context - inputLength) : requested;
    }

    private static List<String> stops(List<String> stops) {
        if (stops.size() > MAX_STOPS) {
            throw new IllegalArgumentException("stop takes at most " + MAX_STOPS + " strings, got " + stops.size());
        }
        for (String s : stops) {
            if (s.length() > MAX_STOP_LENGTH) {
                throw new IllegalArgumentException("each stop string is at most " + MAX_STOP_LENGTH
                        + " characters, got one of " + s.length());
            }
        }
        return stops;
    }

    private void record(GenerationResult r) {
        ttft.record((long) (r.promptMillis() * 1e6), TimeUnit.NANOSECONDS);
        if (r.tokens().length > 1) {
            perToken.record((long) (r.decodeMillis() * 1e6 / (r.tokens().length - 1)), TimeUnit.NANOSECONDS);
        }
        duration.record((long) ((r.promptMillis() + r.decodeMillis()) * 1e6), TimeUnit.NANOSECONDS);
        inputTokens.record(r.promptTokens());
        outputTokens.record(r.tokens().length);
    }

    private static dev.fovea.proto.v1.TokenLogprob logprob(dev.fovea.engine.tokenizer.Tokenizer tokenizer, int id,
                                                           float logprob) {
        return dev.fovea.proto.v1.TokenLogprob.newBuilder().setId(id).setLogprob(logprob)
                .setBytes(com.google.protobuf.ByteString.copyFrom(tokenizer.tokenBytes(id))).build();
    }

    private static SamplerConfig sampler(Sampling s, int vocab) {
        finite("temperature", s.getTemperature());
        finite("top_p", s.getTopP());
        finite("min_p", s.getMinP());
        finite("repetition_penalty", s.getRepetitionPenalty());
        if (s.getTopK() < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + s.getTopK());
        }
        SamplerConfig base = s.getTemperature() <= 0 ? SamplerConfig.greedy()
                : SamplerConfig.defaults(s.getHasSeed() ? s.getSeed() : System.nanoTime());
        return new SamplerConfig(Math.max(0f, s.getTemperature()),
                s.getTopK() > 0 ? s.getTopK() : base.topK(),
                s.getTopP() > 0 ? s.getTopP() : 1f,
                s.getMinP() > 0 ? s.getMinP() : base.minP(),
                s.getRepetitionPenalty() > 0 ? s.getRepetitionPenalty() : 1f,
                penalty("frequency_penalty", s.getFrequencyPenalty()), penalty("presence_penalty",
                s.getPresencePenalty()), base.penaltyLastN(), base.seed(), logitBias(s, vocab));
    }

    /** OpenAI's range for frequency and presence penalties. */
    private static float penalty(String field, float v) {
        if (!Float.isFinite(v) || v < -2f || v > 2f) {
            throw new IllegalArgumentException(field + " must be between -2 and 2, got " + v);
        }
        return v;
    }

    private static java.util.Map<Integer, Float> logitBias(Sampling s, int vocab) {
        for (var e : s.getLogitBiasMap().entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= vocab) {
                throw new IllegalArgumentException("logit_bias names token " + e.getKey() + ", outside the vocabulary"
                        + " of " + vocab);
            }
            if (!Float.isFinite(e.getValue()) || e.getValue() < -100f || e.getValue() > 100f) {
                throw new IllegalArgumentException("logit_bias values must be between -100 and 100, got "
                        + e.getValue() + " for token " + e.getKey());
            }
        }
        return s.getLogitBiasMap();
    }

    private static void finite(String field, float value) {
        if (!Float.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + value);
        }
    }

    @Override
    public void describe(DescribeLlmRequest request, StreamObserver<LlmInfo> observer) {
        var lm = runtime.model();
        var cfg = lm.decoder().config();
        var tok = lm.tokenizer();
        String template;
        try {
            template = lm.file().getString(GgufKeys.CHAT_TEMPLATE, "");
        } catch (dev.fovea.engine.gguf.GgufFormatException e) {
            template = "";
        }
        observer.onNext(LlmInfo.newBuilder()
                .setModel(lm.file().path().getFileName().toString())
                .setArchitecture(cfg.arch())
                .setEmbeddingLength(cfg.embd())
                .setContextLength(cfg.contextLength())
                .setVocabSize(cfg.vocabSize())
                .setChatTemplate(template)
                .setBosToken(tok.bosId() >= 0 ? tok.tokenText(tok.bosId()) : "")
                .setEosToken(tok.eosId() >= 0 ? tok.tokenText(tok.eosId()) : "")
                .setAddBos(tok.addBos())
                .build());
        observer.onCompleted();
    }

    @Override
    public void load(LoadRequest request, StreamObserver<ReplicaLoad> observer) {
        BatchScheduler.Stats stats = runtime.scheduler().stats();
        observer.onNext(ReplicaLoad.newBuilder().setRunning(stats.running()).setQueued(stats.queued())
                .setDraining(drain.gate().draining()).setMaxBatch(runtime.maxBatch()).build());
        observer.onCompleted();
    }

    /** Refuses, before tokenizing, text longer in bytes than any text that can fit the context. */
    @Override
    @Blocking
    public void tokenize(TokenizeRequest request, StreamObserver<TokenizeResponse> observer) {
        String requestId = RequestIds.current();
        try {
            int bytes = request.getTextBytes().size();
            if (bytes > runtime.maxTextBytes()) {
                throw new IllegalArgumentException("text of " + bytes + " bytes cannot fit the model's context of "
                        + runtime.model().decoder().config().contextLength() + " tokens (limit: " + runtime.maxTextBytes()
                        + " bytes)");
            }
            int[] ids = runtime.model().tokenizer().encode(request.getText(), request.getAddSpecial(),
                    request.getParseSpecial());
            TokenizeResponse.Builder b = TokenizeResponse.newBuilder();
            for (int id : ids) {
                b.addIds(id);
            }
            observer.onNext(b.build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcFailures.status(e, requestId));
        }
    }

    /**
     * A text embedding (the decoder's mean-pooled final hidden state). Runs on this call's thread: the compute pool
     * lets callers from several threads take turns, so the scheduler's decode steps and this interleave.
     */
    @Override
    @Blocking
    public void embed(EmbedRequest request, StreamObserver<EmbedResponse> observer) {
        String requestId = RequestIds.current();
        EndOnceObserver<EmbedResponse> out = new EndOnceObserver<>(observer);
        DrainGate.Pass pass;
        try {
            // an embedding cannot be stopped midway: past the drain it is answered UNAVAILABLE, its result dropped
            pass = drain.gate().enter("Embed",
                    status -> out.onError(GrpcFailures.status(status.asRuntimeException(), requestId)));
        } catch (RuntimeException e) {
            observer.onError(GrpcFailures.status(e, requestId));
            return;
        }
        try {
            var cfg = runtime.model().decoder().config();
            List<Segment> input;
            if (!request.getText().isEmpty()) {
                if (request.getSegmentsCount() > 0) {
                    throw new IllegalArgumentException("give text or segments, not both");
                }
                int bytes = request.getTextBytes().size();
                if (bytes > runtime.maxTextBytes()) {
                    throw new IllegalArgumentException("text of " + bytes + " bytes cannot fit the model's context of "
                            + cfg.contextLength() + " tokens (limit: " + runtime.maxTextBytes() + " bytes)");
                }
                input = List.of(Segment.tokens(runtime.model().tokenizer().encode(request.getText(), true, false)));
            } else {
                input = ProtoSegments.toEngine(request.getSegmentsList(), cfg.embd(), cfg.contextLength());
            }
            int positions = input.stream().mapToInt(Segment::length).sum();
            if (positions > cfg.contextLength()) {
                throw new IllegalArgumentException("input of " + positions + " positions exceeds the context of "
                        + cfg.contextLength() + " tokens");
            }
            float[] v = runtime.model().decoder().meanHiddenState(input);
            EmbedResponse.Builder b = EmbedResponse.newBuilder().setPromptTokens(positions);
            for (float f : v) {
                b.addValues(f);
            }
            out.last(b.build());
        } catch (RuntimeException e) {
            out.onError(GrpcFailures.status(e, requestId));
        } finally {
            pass.close();
        }
    }

    @Override
    public void detokenize(DetokenizeRequest request, StreamObserver<DetokenizeResponse> observer) {
        String requestId = RequestIds.current();
        try {
            int vocab = runtime.model().tokenizer().vocabSize();
            int[] ids = request.getIdsList().stream().mapToInt(Integer::intValue).toArray();
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + vocab);
                }
            }
            observer.onNext(DetokenizeResponse.newBuilder().setText(runtime.model().tokenizer().decode(ids)).build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcFailures.status(e, requestId));
        }
    }
}
