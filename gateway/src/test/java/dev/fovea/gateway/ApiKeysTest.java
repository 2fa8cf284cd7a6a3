package dev.fovea.gateway;

import static dev.fovea.gateway.ApiKeysProfile.KEY_ONE;
import static dev.fovea.gateway.ApiKeysProfile.KEY_TWO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.gateway.openai.GrpcChatRequests;
import dev.fovea.proto.v1.ChatMessage;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ChatResponse;
import dev.fovea.proto.v1.ContentPart;
import dev.fovea.proto.v1.GatewayServiceGrpc;
import dev.fovea.proto.v1.GetJobRequest;
import dev.fovea.proto.v1.JobServiceGrpc;
import dev.fovea.testsupport.NeedsConformance;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway with API keys ({@link ApiKeysProfile}): every {@code /v1/*} request and every gRPC call but health needs
 * one of them as a Bearer token; the refusals are OpenAI's 401 and gRPC's UNAUTHENTICATED, counted in a metric;
 * health and metrics stay open; the official client's {@code apiKey} is what the gateway checks.
 */
@NeedsConformance
@QuarkusTest
@TestProfile(ApiKeysProfile.class)
@WithTestResource(LlmServiceProcess.class)
class ApiKeysTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String REJECTED = "fovea_gateway_auth_rejected_total\\{api=\"%s\",reason=\"%s\"[^}]*\\}";

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", GatewayHttp.port()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> http(String method, String path, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayHttp.base() + path))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chatBody(boolean stream) {
        return ChatCompletionsTest.request("llama-q8", 4).put("stream", stream).toString();
    }

    /** A 401 with OpenAI's error body, the Bearer challenge, a request id, and nothing of what was sent. */
    private static void assertRefused(HttpResponse<String> r, String sent) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode error = GatewayHttp.JSON.readTree(r.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("request_id").asText()).isEqualTo(id);
        if (sent != null) {
            assertThat(r.body()).doesNotContain(sent);
        }
    }

    @Test
    void everyV1RouteRefusesARequestWithoutAKey() throws Exception {
        assertRefused(http("GET", "/v1/models", null, null), null);
        assertRefused(http("GET", "/v1/models/llama-q8", null, null), null);
        assertRefused(http("POST", "/v1/chat/completions", null, chatBody(false)), null);
        assertRefused(http("POST", "/v1/chat/completions", null, chatBody(true)), null);
        assertRefused(http("POST", "/v1/jobs", null, "{}"), null);
        assertRefused(http("GET", "/v1/jobs?batch=b", null, null), null);
        assertRefused(http("POST", "/v1/completions", null, "{\"model\":\"llama-q8\",\"prompt\":\"hi\"}"), null);
        assertRefused(http("POST", "/v1/embeddings", null, "{\"model\":\"llama-q8\",\"input\":\"hi\"}"), null);
        assertRefused(http("POST", "/tokenize", null, "{\"model\":\"llama-q8\",\"prompt\":\"hi\"}"), null);
        assertRefused(http("POST", "/detokenize", null, "{\"model\":\"llama-q8\",\"tokens\":[1]}"), null);
        // a route that does not exist says nothing about that to a client without a key
        assertRefused(http("GET", "/v1/no-such-route", null, null), null);
    }

    @Test
    void aWrongKeyOrSchemeIsRefused() throws Exception {
        for (String authorization : List.of("Bearer wrong-key", "Bearer " + KEY_ONE + "x",
                "Bearer " + KEY_ONE.substring(0, 20), "Bearer " + KEY_ONE.toUpperCase(), "Basic " + KEY_ONE,
                KEY_ONE, "Bearer ", "Bearer " + KEY_ONE + "," + KEY_TWO)) {
            assertRefused(http("GET", "/v1/models", authorization, null), KEY_ONE.substring(0, 20));
            assertRefused(http("POST", "/v1/chat/completions", authorization, chatBody(false)), null);
        }
    }

    @Test
    void eitherConfiguredKeyIsAccepted() throws Exception {
        for (String authorization : List.of("Bearer " + KEY_ONE, "Bearer " + KEY_TWO, "bearer " + KEY_ONE)) {
            HttpResponse<String> r = http("GET", "/v1/models", authorization, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(GatewayHttp.JSON.readTree(r.body()).get("data").findValuesAsText("id")).contains("llama-q8");
        }
        assertThat(http("GET", "/v1/models/llama-q8", "Bearer " + KEY_TWO, null).statusCode()).isEqualTo(200);
        // past the check, the routes answer as without keys
        assertThat(http("GET", "/v1/models/gpt-x", "Bearer " + KEY_TWO, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aKeyedChatCompletesAndStreams() throws Exception {
        HttpResponse<String> whole = http("POST", "/v1/chat/completions", "Bearer " + KEY_ONE, chatBody(false));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(GatewayHttp.JSON.readTree(whole.body()).get("object").asText()).isEqualTo("chat.completion");
        HttpResponse<String> stream = http("POST", "/v1/chat/completions", "Bearer " + KEY_TWO, chatBody(true));
        assertThat(stream.statusCode()).as(stream.body()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(stream.body()).endsWith("data: [DONE]\n\n");
    }

    /** The router matches the normalized path; the check sits on the same path, so spelling it oddly gains nothing. */
    @Test
    void oddlySpelledPathsDoNotSkipTheCheck() throws Exception {
        for (String path : List.of("/v1/../v1/models", "/v1/./models", "/v1//models", "//v1/models",
                "/x/../v1/models", "/v1/%6dodels")) {
            GatewayHttp.Reply r = GatewayHttp.rawGet(path);
            assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(401);
            assertThat(r.body()).as(path).contains("invalid_api_key");
        }
    }

    /** The check runs before any body handler: a client without a key cannot make the gateway read its body. */
    @Test
    void aBodyWithoutAKeyIsRefusedBeforeItIsRead() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(TestLimits.MAX_BODY + 1024) + "\"}";
        assertRefused(http("POST", "/v1/chat/completions", null, big), null);
        assertThat(http("POST", "/v1/chat/completions", "Bearer " + KEY_ONE, big).statusCode()).isEqualTo(413);
    }

    @Test
    void healthAndMetricsStayOpenAndCountTheRefusals() throws Exception {
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started")) {
            assertThat(http("GET", path, null, null).statusCode()).as(path).isEqualTo(200);
        }
        String before = http("GET", "/q/metrics", null, null).body();
        http("GET", "/v1/models", null, null);
        http("GET", "/v1/models", "Bearer nope", null);
        http("GET", "/v1/models", "Bearer nope", null);
        HttpResponse<String> after = http("GET", "/q/metrics", null, null);
        assertThat(after.statusCode()).isEqualTo(200);
        String missing = REJECTED.formatted("http", "missing");
        String invalid = REJECTED.formatted("http", "invalid");
        assertThat(value(after.body(), missing) - value(before, missing)).isEqualTo(1.0);
        assertThat(value(after.body(), invalid) - value(before, invalid)).isEqualTo(2.0);
        assertThat(after.body()).doesNotContain(KEY_ONE).doesNotContain(KEY_TWO);
    }

    private static double value(String metrics, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.eE+-]+)$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static <S extends AbstractStub<S>> S keyed(S stub, String authorization) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    private static ChatRequest grpcChat() {
        return ChatRequest.newBuilder().setModel("llama-q8").setTemperature(0).setMaxTokens(4)
                .addMessages(ChatMessage.newBuilder().setRole("user")
                        .addContent(ContentPart.newBuilder().setText("Say hi."))).build();
    }

    private static void assertUnauthenticated(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("the call was not refused").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContain(KEY_ONE);
        assertThat(e.getTrailers().get(GrpcChatRequests.REQUEST_ID)).startsWith("req-");
    }

    @Test
    void grpcNeedsTheKeyAsMetadata() throws Exception {
        String metric = REJECTED.formatted("grpc", "missing");
        double before = value(http("GET", "/q/metrics", null, null).body(), metric);
        var gateway = GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        assertUnauthenticated(() -> gateway.chat(grpcChat()));
        assertUnauthenticated(() -> gateway.chatStream(grpcChat()).hasNext());
        assertUnauthenticated(() -> keyed(gateway, "Bearer wrong-key").chat(grpcChat()));
        assertUnauthenticated(() -> keyed(gateway, KEY_ONE).chat(grpcChat()));
        var jobs = JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        assertUnauthenticated(() -> jobs.getJob(GetJobRequest.newBuilder().setId("j1").build()));
        assertThat(value(http("GET", "/q/metrics", null, null).body(), metric) - before).isEqualTo(4.0);

        ChatResponse r = keyed(gateway, "Bearer " + KEY_ONE).chat(grpcChat());
        assertThat(r.getFinishReason()).isNotEmpty();
        assertThat(r.getUsage().getCompletionTokens()).isPositive();
        assertThat(keyed(gateway, "Bearer " + KEY_TWO).chatStream(grpcChat())).toIterable().isNotEmpty();
        // past the check the job service answers for itself (jobs are off in this test)
        StatusRuntimeException off = catchThrowableOfType(StatusRuntimeException.class,
                () -> keyed(jobs, "Bearer " + KEY_TWO).getJob(GetJobRequest.newBuilder().setId("j1").build()));
        assertThat(off).isNotNull();
        assertThat(off.getStatus().getCode()).isNotEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void grpcHealthStaysOpen() {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    /** The official client sends its {@code apiKey} as the Bearer token, and reads a refusal as its AuthenticationError. */
    @Test
    void theOfficialClientAuthenticatesWithItsApiKey() throws Exception {
        Path work = NodeClient.prepare();
        NodeClient.Run run = NodeClient.run(work, 300, "node", "auth.mjs", GatewayHttp.base() + "/v1", "llama-q8",
                KEY_TWO);
        assertThat(run.exit()).as(run.output()).isEqualTo(0);
        JsonNode r = GatewayHttp.JSON.readTree(run.lastLine());
        assertThat(r.get("models")).extracting(JsonNode::asText).contains("llama-q8");
        assertThat(r.get("finish_reason").asText()).isNotEmpty();
        assertThat(r.get("streamed").asInt()).isPositive();
        assertThat(r.get("wrongKey").get("status").asInt()).isEqualTo(401);
        assertThat(r.get("wrongKey").get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(r.get("wrongKey").get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.get("wrongKey").get("name").asText()).isEqualTo("AuthenticationError");
    }
}
