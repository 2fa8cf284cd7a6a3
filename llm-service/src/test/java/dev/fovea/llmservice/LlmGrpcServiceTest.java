package dev.fovea.llmservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.proto.v1.Finished;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.TokenIds;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@NeedsConformance
@QuarkusTest
class LlmGrpcServiceTest {
    @Inject
    LlmRuntime runtime;

    private ManagedChannel channel;
    private LlmServiceGrpc.LlmServiceBlockingStub llm;

    @BeforeEach
    void connect() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        llm = LlmServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static GenerateRequest request(int[] prompt, int maxTokens) {
        TokenIds.Builder ids = TokenIds.newBuilder();
        for (int id : prompt) {
            ids.addIds(id);
        }
        return GenerateRequest.newBuilder().addSegments(dev.fovea.proto.v1.Segment.newBuilder().setTokens(ids))
                .setMaxTokens(maxTokens).build();
    }

    private int[] solo(int[] prompt, int n) {
        return new Generator(runtime.model()).generate(List.of(Segment.tokens(prompt)), GenerationConfig.greedy(n),
                TokenListener.NONE).tokens();
    }

    @Test
    void concurrentGreedyStreamsMatchSoloRuns() throws Exception {
        String[] texts = {"The quick brown fox", "Once upon a time", "Hello world", "In a hole in the ground"};
        List<CompletableFuture<List<Integer>>> streams = new ArrayList<>();
        for (String t : texts) {
            int[] prompt = runtime.model().tokenizer().encode(t, true, true);
            streams.add(CompletableFuture.supplyAsync(() -> {
                List<Integer> tokens = new ArrayList<>();
                Iterator<GenerateEvent> it = llm.generate(request(prompt, 16));
                Finished fin = null;
                while (it.hasNext()) {
                    GenerateEvent e = it.next();
                    if (e.hasToken()) {
                        tokens.add(e.getToken().getId());
                    } else {
                        fin = e.getFinished();
                    }
                }
                assertThat(fin).isNotNull();
                assertThat(fin.getCompletionTokens()).isEqualTo(tokens.size());
                return tokens;
            }));
        }
        for (int i = 0; i < texts.length; i++) {
            int[] prompt = runtime.model().tokenizer().encode(texts[i], true, true);
            assertThat(streams.get(i).get(120, TimeUnit.SECONDS)).as(texts[i])
                    .containsExactly(java.util.Arrays.stream(solo(prompt, 16)).boxed().toArray(Integer[]::new));
        }
    }

    @Test
    void badInputIsInvalidArgument() {
        assertThatThrownBy(() -> llm.generate(request(new int[] {1, 1_000_000}, 4)).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("vocabulary");
                });
        GenerateRequest wrongWidth = GenerateRequest.newBuilder().addSegments(dev.fovea.proto.v1.Segment.newBuilder()
                .setEmbeddings(dev.fovea.proto.v1.Embeddings.newBuilder().setData(dev.fovea.proto.v1.Tensor.newBuilder()
                        .addShape(1).addShape(3).setDtype(dev.fovea.proto.v1.DType.F32)
                        .setData(com.google.protobuf.ByteString.copyFrom(new byte[12]))))).build();
        assertThatThrownBy(() -> llm.generate(wrongWidth).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void describeGivesWhatAFrontEndNeedsToRenderPrompts() {
        var info = llm.describe(dev.fovea.proto.v1.DescribeLlmRequest.getDefaultInstance());
        assertThat(info.getArchitecture()).isEqualTo("llama");
        assertThat(info.getEmbeddingLength()).isEqualTo(runtime.model().decoder().config().embd());
        assertThat(info.getBosToken()).isEqualTo("<s>");
        assertThat(info.getAddBos()).isTrue();
    }

    @Test
    void metricsUseTheGenAiNames() {
        llm.generate(request(runtime.model().tokenizer().encode("Hi", true, true), 2)).forEachRemaining(e -> { });
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        assertThat(metrics).contains("gen_ai_server_time_to_first_token").contains("gen_ai_server_request_duration")
                .contains("fovea_llm_prefix_cache_hits");
    }

    @Test
    void aJsonSchemaConstrainsTheStreamAndAnUnsupportedOneIsInvalidArgument() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"animal\":{\"enum\":[\"fox\",\"dog\"]},"
                + "\"legs\":{\"type\":\"integer\"}},\"required\":[\"animal\",\"legs\"]}";
        int[] prompt = runtime.model().tokenizer().encode("The quick brown fox", true, true);
        GenerateRequest req = request(prompt, 64).toBuilder()
                .setFormat(dev.fovea.proto.v1.OutputFormat.newBuilder().setJsonSchema(schema)).build();
        StringBuilder text = new StringBuilder();
        Finished fin = null;
        for (Iterator<GenerateEvent> it = llm.generate(req); it.hasNext(); ) {
            GenerateEvent e = it.next();
            if (e.hasToken()) {
                text.append(e.getToken().getText());
            } else {
                fin = e.getFinished();
            }
        }
        assertThat(fin).isNotNull();
        if (fin.getFinishReason().equals("stop")) {
            var value = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text.toString());
            assertThat(value.get("animal").asText()).isIn("fox", "dog");
            assertThat(value.get("legs").isIntegralNumber()).isTrue();
        }
        assertThat(dev.fovea.engine.constrain.JsonConstraint.schema(schema).accepts(text.toString())
                || fin.getFinishReason().equals("length")).as(text.toString()).isTrue();

        GenerateRequest bad = request(prompt, 8).toBuilder().setFormat(dev.fovea.proto.v1.OutputFormat.newBuilder()
                .setJsonSchema("{\"type\":\"string\",\"format\":\"email\"}")).build();
        assertThatThrownBy(() -> llm.generate(bad).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("format");
                });
    }

    @Test
    void embedGivesAUnitVectorOfTheModelWidthAndDetokenizeInvertsTokenize() {
        var a = llm.embed(dev.fovea.proto.v1.EmbedRequest.newBuilder().setText("The quick brown fox").build());
        var b = llm.embed(dev.fovea.proto.v1.EmbedRequest.newBuilder().setText("The quick brown fox").build());
        assertThat(a.getValuesCount()).isEqualTo(runtime.model().decoder().config().embd());
        double norm = 0;
        for (float v : a.getValuesList()) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(a.getValuesList()).isEqualTo(b.getValuesList());
        assertThat(a.getPromptTokens()).isEqualTo(runtime.model().tokenizer().encode("The quick brown fox", true,
                false).length);
        int[] ids = runtime.model().tokenizer().encode("Hello world", false, false);
        var req = dev.fovea.proto.v1.DetokenizeRequest.newBuilder();
        for (int id : ids) {
            req.addIds(id);
        }
        assertThat(llm.detokenize(req.build()).getText().strip()).isEqualTo("Hello world");
        assertThatThrownBy(() -> llm.detokenize(dev.fovea.proto.v1.DetokenizeRequest.newBuilder().addIds(-3).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void logprobsComeWithEachTokenAndLogitBiasSteersGreedyChoices() {
        int[] prompt = runtime.model().tokenizer().encode("The quick brown fox", true, true);
        GenerateRequest req = request(prompt, 4).toBuilder().setLogprobs(true).setTopLogprobs(3).build();
        List<dev.fovea.proto.v1.TokenEvent> events = new ArrayList<>();
        llm.generate(req).forEachRemaining(e -> {
            if (e.hasToken() && e.getToken().hasLogprob()) {
                events.add(e.getToken());
            }
        });
        assertThat(events).hasSize(4);
        for (var t : events) {
            assertThat(t.getLogprob().getId()).isEqualTo(t.getId());
            assertThat(t.getLogprob().getLogprob()).isLessThanOrEqualTo(0f);
            assertThat(t.getTopLogprobsCount()).isEqualTo(3);
            // greedy: the chosen token is the most likely one
            assertThat(t.getTopLogprobs(0).getId()).isEqualTo(t.getId());
            assertThat(t.getTopLogprobs(0).getLogprob()).isGreaterThanOrEqualTo(t.getTopLogprobs(1).getLogprob());
        }
        int first = events.get(0).getId();
        GenerateRequest banned = request(prompt, 1).toBuilder().setSampling(dev.fovea.proto.v1.Sampling.newBuilder()
                .putLogitBias(first, -100f)).build();
        int next = -1;
        for (Iterator<GenerateEvent> it = llm.generate(banned); it.hasNext(); ) {
            GenerateEvent e = it.next();
            if (e.hasToken() && e.getToken().getId() >= 0) {
                next = e.getToken().getId();
            }
        }
        assertThat(next).isEqualTo(events.get(0).getTopLogprobs(1).getId());
        assertThatThrownBy(() -> llm.generate(request(prompt, 1).toBuilder().setSampling(
                dev.fovea.proto.v1.Sampling.newBuilder().putLogitBias(-1, 1f)).build()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("logit_bias");
                });
    }
}
