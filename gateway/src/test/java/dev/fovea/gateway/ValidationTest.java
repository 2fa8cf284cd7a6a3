package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Bad input gets a 4xx OpenAI error object; an unreachable backend a 503. */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class ValidationTest {
    private static String pngDataUrl() throws Exception {
        Path png = Path.of(System.getProperty("fovea.shared.dir"), "conformance", "images", "shapes56.png");
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }

    private static ObjectNode withImages(String model, String... urls) {
        ObjectNode body = GatewayHttp.JSON.createObjectNode();
        body.put("model", model);
        ArrayNode content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What is in the picture?");
        for (String url : urls) {
            content.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        }
        body.put("max_tokens", 4);
        return body;
    }

    private static JsonNode error(GatewayHttp.Reply r, int status) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode e = r.json().get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).isTrue();
        return e;
    }

    @Test
    void unknownModelIs404ModelNotFound() throws Exception {
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions",
                ChatCompletionsTest.request("gpt-nope", 4).toString()), 404);
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        assertThat(e.get("param").asText()).isEqualTo("model");
        assertThat(e.get("message").asText()).contains("gpt-nope");
    }

    @Test
    void unknownModelIs404EvenWhenStreaming() throws Exception {
        ObjectNode body = ChatCompletionsTest.request("gpt-nope", 4);
        body.put("stream", true);
        error(GatewayHttp.post("/v1/chat/completions", body.toString()), 404);
    }

    @Test
    void badBase64IsRejected() throws Exception {
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions",
                withImages("vlm-offline", "data:image/png;base64,iVBOR&&&not-base64").toString()), 400);
        assertThat(e.get("code").asText()).isEqualTo("invalid_image_url");
        assertThat(e.get("message").asText()).contains("base64");
    }

    @Test
    void bytesThatAreNoImageAreRejected() throws Exception {
        String notAnImage = "data:image/png;base64," + Base64.getEncoder().encodeToString("hello".getBytes());
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions",
                withImages("vlm-offline", notAnImage).toString()), 400);
        assertThat(e.get("code").asText()).isEqualTo("invalid_image");
    }

    @Test
    void httpImageUrlsAreOffByDefault() throws Exception {
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions",
                withImages("vlm-offline", "http://169.254.169.254/latest/meta-data.png").toString()), 400);
        assertThat(e.get("code").asText()).isEqualTo("image_url_host_not_allowed");
        assertThat(e.get("message").asText()).contains("169.254.169.254").contains("data:");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        ObjectNode body = ChatCompletionsTest.request("llama-q8", 4);
        body.withArray("messages").addObject().put("role", "user").put("content", "x".repeat(TestLimits.MAX_BODY));
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions", body.toString()), 413);
        assertThat(e.get("message").asText()).contains(Integer.toString(TestLimits.MAX_BODY));
    }

    @Test
    void tooManyImagesAreRejected() throws Exception {
        String url = pngDataUrl();
        String[] urls = new String[TestLimits.MAX_IMAGES + 1];
        java.util.Arrays.fill(urls, url);
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions", withImages("vlm-offline", urls).toString()), 400);
        assertThat(e.get("code").asText()).isEqualTo("too_many_images");
    }

    @Test
    void imagesForATextOnlyModelAreRejected() throws Exception {
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions",
                withImages("llama-q8", pngDataUrl()).toString()), 400);
        assertThat(e.get("code").asText()).isEqualTo("images_not_supported");
    }

    @Test
    void unknownEncoderCombinationIsRejected() throws Exception {
        ObjectNode body = withImages("vlm-offline", pngDataUrl());
        body.putObject("fovea").put("encoders", "dino+clip");
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions", body.toString()), 400);
        assertThat(e.get("code").asText()).isEqualTo("unknown_encoder_combination");
        assertThat(e.get("message").asText()).contains("clip-only");
    }

    @Test
    void anImageWhoseEncodersAreDownIs503() throws Exception {
        ObjectNode body = withImages("vlm-offline", pngDataUrl());
        body.putObject("fovea").put("encoders", "clip-only");
        JsonNode e = error(GatewayHttp.post("/v1/chat/completions", body.toString()), 503);
        assertThat(e.get("message").asText()).contains("encoder:clip").contains("UNAVAILABLE");
    }

    @Test
    void malformedRequestsAre400() throws Exception {
        assertThat(error(GatewayHttp.post("/v1/chat/completions", "{not json"), 400).get("code").asText())
                .isEqualTo("invalid_json");
        ObjectNode noMessages = GatewayHttp.JSON.createObjectNode().put("model", "llama-q8");
        assertThat(error(GatewayHttp.post("/v1/chat/completions", noMessages.toString()), 400).get("param").asText())
                .isEqualTo("messages");
        ObjectNode hot = ChatCompletionsTest.request("llama-q8", 4).put("temperature", 3);
        assertThat(error(GatewayHttp.post("/v1/chat/completions", hot.toString()), 400).get("param").asText())
                .isEqualTo("temperature");
        ObjectNode badStop = ChatCompletionsTest.request("llama-q8", 4);
        badStop.putArray("stop").add(1);
        assertThat(error(GatewayHttp.post("/v1/chat/completions", badStop.toString()), 400).get("param").asText())
                .isEqualTo("stop");
        ObjectNode audio = ChatCompletionsTest.request("llama-q8", 4);
        ((ObjectNode) audio.withArray("messages").get(1).get("content").get(0)).put("type", "input_audio");
        assertThat(error(GatewayHttp.post("/v1/chat/completions", audio.toString()), 400).get("message").asText())
                .contains("input_audio");
    }
}
