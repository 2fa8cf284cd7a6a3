package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Big bodies under the production body limit (32 MiB, issue 18): the JSON parser's limits follow the documented ones
 * (a 19 MB image parses, a 21 MB one is the documented 413), and an 8 MB text message or 50,000 messages are refused
 * by cheap checks naming their limit. Inputs are made at run time.
 */
@QuarkusTest
@WithTestResource(value = LlmServiceProcess.class,
        initArgs = @ResourceArg(name = "max-body-bytes", value = "33554432"))
@NeedsConformance
class HostileLargeBodyTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final int MB = 1_000_000;

    @AfterEach
    void nextValidRequestSucceeds() throws Exception {
        GatewayHttp.Reply r = GatewayHttp.post(CHAT, ChatCompletionsTest.request("llama-q8", 2).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** A real PNG (its header is what the gateway reads) padded after its end to {@code size} bytes. */
    private static String pngDataUrl(int size) throws Exception {
        Path png = Path.of(System.getProperty("fovea.shared.dir"), "conformance", "images", "shapes56.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(Files.readAllBytes(png));
        out.writeBytes(new byte[size - out.size()]);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static ObjectNode imageRequest(String url) {
        ObjectNode body = GatewayHttp.JSON.createObjectNode().put("model", "vlm-offline").put("max_tokens", 2);
        ArrayNode content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What is this?");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        body.putObject("fovea").put("encoders", "clip-only");
        return body;
    }

    @Test
    void aNineteenMegabyteImageIsReadAndATwentyOneMegabyteOneIs413() throws Exception {
        // 19 MB is under max-image-bytes: the request gets past parsing and loading to the (absent) encoder
        GatewayHttp.Reply ok = GatewayHttp.post(CHAT, imageRequest(pngDataUrl(19 * MB)).toString());
        JsonNode e = HostileReplies.error(ok, 503, "encoder:clip");
        assertThat(e.get("code").asText()).isEqualTo("backend_unavailable");
        GatewayHttp.Reply big = GatewayHttp.post(CHAT, imageRequest(pngDataUrl(21 * MB)).toString());
        HostileReplies.error(big, 413, "20971520");
    }

    @Test
    void anEightMegabyteMessageIsRefusedByItsLength() throws Exception {
        ObjectNode body = ChatCompletionsTest.request("llama-q8", 2);
        ((ObjectNode) body.withArray("messages").get(0)).put("content", "word ".repeat(8 * MB / 5));
        JsonNode e = HostileReplies.error(GatewayHttp.post(CHAT, body.toString()), 400, "max-prompt-chars-per-token");
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void fiftyThousandMessagesAreRefusedByTheirCount() throws Exception {
        ObjectNode body = ChatCompletionsTest.request("llama-q8", 2);
        ArrayNode messages = body.putArray("messages");
        for (int i = 0; i < 50_000; i++) {
            messages.addObject().put("role", "user").put("content", "hi");
        }
        JsonNode e = HostileReplies.error(GatewayHttp.post(CHAT, body.toString()), 400, "fovea.gateway.max-messages");
        assertThat(e.get("message").asText()).contains("50000");
    }
}
