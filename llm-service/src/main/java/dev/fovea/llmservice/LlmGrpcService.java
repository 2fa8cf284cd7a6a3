package dev.fovea.llmservice;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.BatchScheduler;
import dev.fovea.engine.pipeline.FinishReason;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.sampling.SamplerConfig;
import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.Finished;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmInfo;
import dev.fovea.proto.v1.LlmServiceGrpc;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/** gRPC front of the scheduler: streams each token as it is sampled; a caller that goes away cancels its request. */
@GrpcService
public class LlmGrpcService extends LlmServiceGrpc.LlmServiceImplBase {
    private static final int MAX_TOKENS_DEFAULT = 256;

    private final LlmRuntime runtime;
    private final Timer ttft;
    private final Timer perToken;
    private final Timer duration;
    private final DistributionSummary inputTokens;
    private final DistributionSummary outputTokens;

    LlmGrpcService(LlmRuntime runtime, MeterRegistry registry) {
        this.runtime = runtime;
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

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateEvent> observer) {
        ServerCallStreamObserver<GenerateEvent> call = (ServerCallStreamObserver<GenerateEvent>) observer;
        BatchScheduler.Submission submission;
        try {
            List<Segment> input = ProtoSegments.toEngine(request.getSegmentsList(),
                    runtime.model().decoder().config().embd());
            GenerationConfig config = new GenerationConfig(
                    request.getMaxTokens() > 0 ? request.getMaxTokens() : MAX_TOKENS_DEFAULT,
                    sampler(request.getSampling()), request.getStopList(), false);
            submission = runtime.scheduler().submit(input, config, (token, text) -> {
                if (call.isCancelled()) {
                    return false;
                }
                synchronized (call) {
                    call.onNext(GenerateEvent.newBuilder()
                            .setToken(TokenEvent.newBuilder().setId(token).setText(text)).build());
                }
                return true;
            });
        } catch (IllegalArgumentException e) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        call.setOnCancelHandler(submission::cancel);
        submission.result().whenComplete((r, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                Status status = cause instanceof BatchScheduler.RejectedException
                        ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL;
                if (!call.isCancelled()) {
                    observer.onError(status.withDescription(cause.getMessage()).asRuntimeException());
                }
                return;
            }
            record(r);
            if (r.finishReason() == FinishReason.CANCELLED || call.isCancelled()) {
                return;
            }
            synchronized (call) {
                call.onNext(GenerateEvent.newBuilder().setFinished(Finished.newBuilder()
                        .setFinishReason(r.finishReason() == FinishReason.STOP ? "stop" : "length")
                        .setPromptTokens(r.promptTokens())
                        .setCompletionTokens(r.tokens().length)
                        .setCachedPromptTokens(submission.cachedPositions())
                        .setTimeToFirstTokenMs(r.promptMillis())).build());
                call.onCompleted();
            }
        });
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

    private static SamplerConfig sampler(Sampling s) {
        SamplerConfig base = s.getTemperature() <= 0 ? SamplerConfig.greedy()
                : SamplerConfig.defaults(s.getHasSeed() ? s.getSeed() : System.nanoTime());
        return new SamplerConfig(Math.max(0f, s.getTemperature()),
                s.getTopK() > 0 ? s.getTopK() : base.topK(),
                s.getTopP() > 0 ? s.getTopP() : 1f,
                s.getMinP() > 0 ? s.getMinP() : base.minP(),
                s.getRepetitionPenalty() > 0 ? s.getRepetitionPenalty() : 1f,
                0f, 0f, base.penaltyLastN(), base.seed());
    }

    @Override
    public void describe(DescribeLlmRequest request, StreamObserver<LlmInfo> observer) {
        var lm = runtime.model();
        var cfg = lm.decoder().config();
        var tok = lm.tokenizer();
        String template;
        try {
            template = lm.file().getString("tokenizer.chat_template", "");
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
    public void tokenize(TokenizeRequest request, StreamObserver<TokenizeResponse> observer) {
        int[] ids = runtime.model().tokenizer().encode(request.getText(), request.getAddSpecial(), request.getParseSpecial());
        TokenizeResponse.Builder b = TokenizeResponse.newBuilder();
        for (int id : ids) {
            b.addIds(id);
        }
        observer.onNext(b.build());
        observer.onCompleted();
    }
}
