package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP input to the chat API (issue 18): each request gets the documented 4xx naming the field or limit,
 * with no Java internals, and the gateway answers the next valid request.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class HostileHttpInputTest {
    private static final String CHAT = "/v1/chat/completions";

    /** After every hostile request: a valid one still completes. */
    @AfterEach
    void nextValidRequestSucceeds() throws Exception {
        GatewayHttp.Reply r = GatewayHttp.post(CHAT, ChatCompletionsTest.request("llama-q8", 2).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("choices").path(0).path("message").path("content").isTextual()).isTrue();
    }

    private static ObjectNode valid() {
        return ChatCompletionsTest.request("llama-q8", 2);
    }

    private static JsonNode refused(ObjectNode body, int status, String named) throws Exception {
        return HostileReplies.error(GatewayHttp.post(CHAT, body.toString()), status, named);
    }

    @Test
    void wrongTypesAre400NamingTheField() throws Exception {
        record Case(String field, String json) {
        }
        Case[] cases = {
            new Case("n", "\"1\""), new Case("stream_options", "\"yes\""), new Case("stream_options", "5"),
            new Case("stream_options", "[]"), new Case("tools", "\"x\""), new Case("logprobs", "\"yes\""),
            new Case("max_tokens", "\"5\""), new Case("max_tokens", "1.5"), new Case("temperature", "\"hot\""),
            new Case("stream", "\"true\""), new Case("seed", "1.5"), new Case("fovea", "\"x\""),
            new Case("messages", "\"hi\""), new Case("stop", "5"), new Case("user", "[]"),
            new Case("response_format", "\"json\""), new Case("frequency_penalty", "\"0\""),
        };
        for (Case c : cases) {
            ObjectNode body = valid();
            body.set(c.field(), GatewayHttp.JSON.readTree(c.json()));
            JsonNode e = refused(body, 400, c.field());
            assertThat(e.get("param").asText()).as(c.toString()).isEqualTo(c.field());
            assertThat(e.get("code").asText()).as(c.toString()).isEqualTo("invalid_type");
        }
        ObjectNode nested = valid();
        nested.putObject("stream_options").put("include_usage", "yes");
        assertThat(refused(nested, 400, "stream_options.include_usage").get("param").asText())
                .isEqualTo("stream_options.include_usage");
        ObjectNode content = valid();
        ((ObjectNode) content.withArray("messages").get(1)).put("content", 5);
        assertThat(refused(content, 400, "messages[1].content").get("param").asText()).isEqualTo("messages[1].content");
    }

    @Test
    void unknownRolesAre400() throws Exception {
        for (String role : new String[] {"wizard", "USER", "ipython", "", "x".repeat(5000)}) {
            ObjectNode body = valid();
            ((ObjectNode) body.withArray("messages").get(1)).put("role", role);
            JsonNode e = refused(body, 400, "messages[1].role");
            assertThat(e.get("param").asText()).isEqualTo("messages[1].role");
            assertThat(e.get("message").asText().length()).as("the echo is cut short").isLessThan(300);
        }
    }

    @Test
    void everyOpenAiRoleReachesTheTemplate() throws Exception {
        // the override template prints each role: what the template got is visible in the prompt's token count
        for (String role : new String[] {"system", "developer", "user", "assistant", "tool", "function"}) {
            ObjectNode body = ChatCompletionsTest.request("llama-q8-inst", 2);
            ArrayNode messages = body.putArray("messages");
            messages.addObject().put("role", "user").put("content", "Hello.");
            messages.addObject().put("role", role).put("content", "A turn.");
            GatewayHttp.Reply r = GatewayHttp.post(CHAT, body.toString());
            assertThat(r.status()).as(role + ": " + r.body()).isEqualTo(200);
        }
    }

    @Test
    void hugeOrNegativeMaxTokensIs400NamingTheContext() throws Exception {
        for (long n : new long[] {1_000_000_000L, Integer.MAX_VALUE, 1L << 40}) {
            ObjectNode body = valid().put("max_tokens", n);
            long start = System.nanoTime();
            JsonNode e = refused(body, 400, "context length");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(e.get("param").asText()).isEqualTo("max_tokens");
            assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(e.get("message").asText()).contains(Long.toString(n));
        }
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            for (long n : new long[] {0, -1, Integer.MIN_VALUE}) {
                ObjectNode body = valid();
                body.remove("max_tokens");
                body.put(field, n);
                assertThat(refused(body, 400, field).get("param").asText()).isEqualTo(field);
            }
        }
        ObjectNode streaming = valid().put("max_tokens", 1_000_000_000).put("stream", true);
        refused(streaming, 400, "context length");
    }

    @Test
    void aLongPromptWithoutMaxTokensGetsWhatTheContextLeaves() throws Exception {
        int context = contextLength();
        // "a a a ..." tokenizes to about one token per word; leave a little room for the template and BOS
        int words = context - 40;
        ObjectNode body = GatewayHttp.JSON.createObjectNode().put("model", "llama-q8").put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", "a ".repeat(words));
        GatewayHttp.Reply r = GatewayHttp.post(CHAT, body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode usage = r.json().get("usage");
        assertThat(usage.get("total_tokens").asInt()).isLessThanOrEqualTo(context);
        assertThat(usage.get("prompt_tokens").asInt()).isGreaterThan(context / 2);
    }

    @Test
    void textPastTheContextIsRefusedByItsLength() throws Exception {
        int context = contextLength();
        ObjectNode body = valid();
        ((ObjectNode) body.withArray("messages").get(0)).put("content", "x".repeat(context * 16 + 1));
        JsonNode e = refused(body, 400, "max-prompt-chars-per-token");
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void tooManyMessagesAre400NamingTheLimit() throws Exception {
        ObjectNode body = valid();
        ArrayNode messages = body.putArray("messages");
        for (int i = 0; i < 2049; i++) {
            messages.addObject().put("role", "user").put("content", "");
        }
        JsonNode e = refused(body, 400, "fovea.gateway.max-messages");
        assertThat(e.get("param").asText()).isEqualTo("messages");
    }

    @Test
    void theImageMarkerInTextIs400() throws Exception {
        ObjectNode asString = valid();
        ((ObjectNode) asString.withArray("messages").get(0)).put("content", "see <__media__> here");
        assertThat(refused(asString, 400, "<__media__>").get("param").asText()).isEqualTo("messages[0].content");
        ObjectNode asPart = valid();
        ((ObjectNode) asPart.withArray("messages").get(1).get("content").get(0)).put("text", "<__media__>");
        refused(asPart, 400, "messages[1].content[0].text");
    }

    @Test
    void malformedJsonSaysWhereWithoutParserNames() throws Exception {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        for (String body : new String[] {"{not json", "{\"model\": NaN}", "{'model': 'x'}", "", "[1, 2",
            "{\"model\": \"llama-q8\", \"messages\": [" + deep + "]}", "{\"a\": \"\\u00\"}", "\u0000\u0001"}) {
            GatewayHttp.Reply r = GatewayHttp.post(CHAT, body);
            JsonNode e = HostileReplies.error(r, 400, "JSON");
            assertThat(e.get("code").asText()).isEqualTo("invalid_json");
        }
        HostileReplies.error(GatewayHttp.post(CHAT, "{\"model\": \"llama-q8\", \"messages\": [" + deep + "]}"), 400,
                "64");
    }

    @Test
    void bodiesOverTheLimitAre413EnvelopesOnEveryRoute() throws Exception {
        String big = "{\"x\": \"" + "y".repeat(TestLimits.MAX_BODY) + "\"}";
        for (String path : new String[] {CHAT, "/v1/jobs"}) {
            JsonNode e = HostileReplies.error(GatewayHttp.post(path, big), 413, Integer.toString(TestLimits.MAX_BODY));
            assertThat(e.get("code").asText()).isEqualTo("request_too_large");
        }
    }

    @Test
    void malformedUrlsGetTheEnvelope() throws Exception {
        HostileReplies.error(GatewayHttp.rawGet("/v1/models/%zz"), 400, "URL");
        JsonNode e = HostileReplies.error(GatewayHttp.get("/v1/models/" + "m".repeat(3000)), 404, "does not exist");
        assertThat(e.get("message").asText().length()).as("the echo is cut short").isLessThan(300);
    }

    @Test
    void theRequestIdIsEchoedOrMade() throws Exception {
        GatewayHttp.Reply given = GatewayHttp.send(HttpRequest.newBuilder(URI.create(GatewayHttp.base() + CHAT))
                .header("Content-Type", "application/json").header("X-Request-Id", "client-42")
                .POST(HttpRequest.BodyPublishers.ofString("{")).build());
        assertThat(HostileReplies.error(given, 400, "JSON").get("request_id").asText()).isEqualTo("client-42");
        GatewayHttp.Reply junk = GatewayHttp.send(HttpRequest.newBuilder(URI.create(GatewayHttp.base() + CHAT))
                .header("Content-Type", "application/json").header("X-Request-Id", "bad id {}")
                .POST(HttpRequest.BodyPublishers.ofString("{")).build());
        assertThat(HostileReplies.error(junk, 400, "JSON").get("request_id").asText()).startsWith("req-");
        GatewayHttp.Reply ok = GatewayHttp.post(CHAT, valid().toString());
        assertThat(ok.requestId()).startsWith("req-");
    }

    /** The model's context length, as the gateway's own 400 states it. */
    static int contextLength() throws Exception {
        GatewayHttp.Reply r = GatewayHttp.post(CHAT, ChatCompletionsTest.request("llama-q8", 1).put("max_tokens",
                Integer.MAX_VALUE).toString());
        Matcher m = Pattern.compile("maximum context length is (\\d+)").matcher(r.json().path("error")
                .path("message").asText());
        assertThat(m.find()).as(r.body()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
