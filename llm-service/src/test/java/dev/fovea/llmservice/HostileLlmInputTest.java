package dev.fovea.llmservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.fovea.grpcsupport.RequestIds;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.Embeddings;
import dev.fovea.proto.v1.Finished;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.Sampling;
import dev.fovea.proto.v1.Segment;
import dev.fovea.proto.v1.Tensor;
import dev.fovea.proto.v1.TokenIds;
import dev.fovea.proto.v1.TokenizeRequest;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC straight to the LLM service with what an attacker would send: each answer is a clear status naming the
 * field or limit, comes quickly, costs no memory in proportion to the numbers it carries, and a valid request
 * is served afterwards.
 */
@NeedsConformance
@QuarkusTest
class HostileLlmInputTest {
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(java|javax|jdk|sun|io\\.grpc|dev\\.fovea)\\.[a-z]|[A-Z]\\w*(Exception|Error)\\b");
    private static final long MB = 1L << 20;

    @Inject
    LlmRuntime runtime;

    private ManagedChannel channel;
    private LlmServiceGrpc.LlmServiceBlockingStub llm;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", io.restassured.RestAssured.port).usePlaintext().build();
        llm = LlmServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void stillServesAValidRequest() throws InterruptedException {
        Iterator<GenerateEvent> it = llm.generate(request(prompt("Hello"), 2));
        Finished fin = null;
        while (it.hasNext()) {
            GenerateEvent e = it.next();
            if (e.hasFinished()) {
                fin = e.getFinished();
            }
        }
        assertThat(fin).isNotNull();
        assertThat(fin.getCompletionTokens()).isBetween(1, 2);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private int[] prompt(String text) {
        return runtime.model().tokenizer().encode(text, true, true);
    }

    private static GenerateRequest request(int[] prompt, int maxTokens) {
        TokenIds.Builder ids = TokenIds.newBuilder();
        for (int id : prompt) {
            ids.addIds(id);
        }
        return GenerateRequest.newBuilder().addSegments(Segment.newBuilder().setTokens(ids)).setMaxTokens(maxTokens)
                .build();
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The call's status, checked for a clear message and a request id; the call must answer within 10 s. */
    private static Status refused(Supplier<?> call, Status.Code code, String... mentions) {
        long t0 = System.nanoTime();
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::get);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(e).as("the call must fail").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContainPattern(CLASS_NAME);
        for (String m : mentions) {
            assertThat(e.getStatus().getDescription()).contains(m);
        }
        assertThat(e.getTrailers().get(RequestIds.HEADER)).isNotBlank();
        return e.getStatus();
    }

    @Test
    void hugeMaxTokensIsRefusedNamingTheContextWithoutAllocatingByIt() {
        int context = runtime.model().decoder().config().contextLength();
        long before = usedHeap();
        for (int maxTokens : new int[] {1_000_000_000, Integer.MAX_VALUE, context}) {
            refused(() -> llm.generate(request(prompt("Hello"), maxTokens)).next(), Status.Code.INVALID_ARGUMENT,
                    "max_tokens " + maxTokens, "context of " + context);
        }
        assertThat(usedHeap() - before).isLessThan(100 * MB);
    }

    @Test
    void theCallersRequestIdComesBackWithTheError() {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(RequestIds.HEADER, "gateway-req-42");
        var stub = llm.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.generate(request(prompt("Hello"), -5)).next());
        assertThat(e.getTrailers().get(RequestIds.HEADER)).isEqualTo("gateway-req-42");
        StatusRuntimeException t = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.tokenize(TokenizeRequest.newBuilder().setText("x".repeat(5_000_000)).build()));
        assertThat(t.getTrailers().get(RequestIds.HEADER)).isEqualTo("gateway-req-42");
    }

    @Test
    void negativeMaxTokensIsRefused() {
        refused(() -> llm.generate(request(prompt("Hello"), -1)).next(), Status.Code.INVALID_ARGUMENT,
                "max_tokens must be >= 0", "-1");
        refused(() -> llm.generate(request(prompt("Hello"), Integer.MIN_VALUE)).next(), Status.Code.INVALID_ARGUMENT,
                "max_tokens");
    }

    @Test
    void unsetMaxTokensUsesWhatIsLeftOfTheContext() {
        assertThat(LlmGrpcService.maxTokens(0, 10, 4096)).isEqualTo(256);
        assertThat(LlmGrpcService.maxTokens(0, 4090, 4096)).isEqualTo(6);
        assertThat(LlmGrpcService.maxTokens(6, 4090, 4096)).isEqualTo(6);
    }

    @Test
    void overflowingOrMisshapenEmbeddingsNameTheExpectedShape() {
        int embd = runtime.model().decoder().config().embd();
        Supplier<GenerateRequest> overflow = () -> GenerateRequest.newBuilder().addSegments(Segment.newBuilder()
                .setEmbeddings(Embeddings.newBuilder().setData(Tensor.newBuilder().addShape(1L << 40).addShape(embd)
                        .setDtype(DType.F16).setData(ByteString.copyFrom(new byte[64]))))).setMaxTokens(1).build();
        refused(() -> llm.generate(overflow.get()).next(), Status.Code.INVALID_ARGUMENT,
                "embeddings must have shape [n][" + embd + "]");
        GenerateRequest wide = GenerateRequest.newBuilder().addSegments(Segment.newBuilder()
                .setEmbeddings(Embeddings.newBuilder().setData(Tensor.newBuilder().addShape(1).addShape(embd)
                        .setDtype(DType.F16).setData(ByteString.copyFrom(new byte[2 * embd + 32]))))).setMaxTokens(1)
                .build();
        refused(() -> llm.generate(wide).next(), Status.Code.INVALID_ARGUMENT, embd + " values wide",
                2 * embd + " bytes as F16");
        GenerateRequest empty = GenerateRequest.newBuilder().addSegments(Segment.getDefaultInstance()).build();
        refused(() -> llm.generate(empty).next(), Status.Code.INVALID_ARGUMENT, "segment without tokens or embeddings");
    }

    @Test
    void inputLongerThanTheContextIsRefusedBeforeItIsCopied() {
        int context = runtime.model().decoder().config().contextLength();
        int[] ids = new int[1_000_000];
        java.util.Arrays.fill(ids, 1);
        refused(() -> llm.generate(request(ids, 1)).next(), Status.Code.INVALID_ARGUMENT, "context of " + context);
    }

    @Test
    void hugeTokenizeTextIsRefusedByItsBytesBeforeTokenizing() {
        String text = "a".repeat(5_000_000);
        long before = usedHeap();
        refused(() -> llm.tokenize(TokenizeRequest.newBuilder().setText(text).build()), Status.Code.INVALID_ARGUMENT,
                "5000000 bytes", "limit: " + runtime.maxTextBytes() + " bytes");
        assertThat(usedHeap() - before).isLessThan(100 * MB);
        // text at the limit is still tokenized
        assertThat(llm.tokenize(TokenizeRequest.newBuilder().setText("Hello world").build()).getIdsCount()).isPositive();
    }

    @Test
    void nonFiniteSamplingAndTooManyStopsAreRefusedNamingTheField() {
        GenerateRequest nan = request(prompt("Hi"), 2).toBuilder()
                .setSampling(Sampling.newBuilder().setTemperature(Float.NaN)).build();
        refused(() -> llm.generate(nan).next(), Status.Code.INVALID_ARGUMENT, "temperature");
        GenerateRequest topP = request(prompt("Hi"), 2).toBuilder()
                .setSampling(Sampling.newBuilder().setTopP(Float.POSITIVE_INFINITY)).build();
        refused(() -> llm.generate(topP).next(), Status.Code.INVALID_ARGUMENT, "top_p");
        GenerateRequest.Builder stops = request(prompt("Hi"), 2).toBuilder();
        for (int i = 0; i < 17; i++) {
            stops.addStop("s" + i);
        }
        refused(() -> llm.generate(stops.build()).next(), Status.Code.INVALID_ARGUMENT, "stop", "16");
    }
}
