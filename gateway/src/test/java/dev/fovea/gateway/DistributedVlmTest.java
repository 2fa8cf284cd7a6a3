package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The distributed path end to end — encoder, adapter and LLM services as separate processes, this gateway in
 * front — against the single-process engine: same greedy tokens for a chat with a data-URL image, for one encoder
 * (LLaVA's MLP projector) and for two encoders fused (SPHINX-style fusion adapter). Also: a repeated image in a
 * second turn is served from the encoder's feature cache and the LLM's prefix cache.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(VisionStackProcesses.class)
class DistributedVlmTest {
    private static final int MAX_TOKENS = 16;
    private static final String QUESTION = "What is in the picture?";

    private static byte[] image() throws Exception {
        return Files.readAllBytes(VisionStackProcesses.conformance("images/shapes120x80.png"));
    }

    private static ObjectNode chat(String model, byte[] png, List<String[]> history, String question) {
        ObjectNode body = GatewayHttp.JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        ObjectNode first = messages.addObject().put("role", "user");
        ArrayNode parts = first.putArray("content");
        parts.addObject().put("type", "image_url").putObject("image_url")
                .put("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(png));
        parts.addObject().put("type", "text").put("text", QUESTION);
        for (String[] turn : history) {
            messages.addObject().put("role", turn[0]).put("content", turn[1]);
        }
        if (question != null) {
            messages.addObject().put("role", "user").put("content", question);
        }
        body.put("temperature", 0);
        body.put("max_tokens", MAX_TOKENS);
        body.putObject("fovea").put("token_ids", true);
        return body;
    }

    private static List<ChatMessage> engineMessages() {
        return List.of(new ChatMessage("user", List.of(new ChatMessage.Image(0), new ChatMessage.Text(QUESTION))));
    }

    private static List<Integer> tokenIds(JsonNode reply) {
        List<Integer> out = new ArrayList<>();
        reply.get("choices").get(0).get("message").get("fovea").get("token_ids").forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static GenerationResult singleProcess(Segment.Embeddings image) throws Exception {
        try (LanguageModel lm = LanguageModel.open(VisionStackProcesses.conformance("models/llama-spm-f32.gguf"),
                Parallel.shared(), Progress.NONE)) {
            List<Segment> input = lm.chatInput(engineMessages(), List.of(image));
            return new Generator(lm).generate(input, GenerationConfig.greedy(MAX_TOKENS), TokenListener.NONE);
        }
    }

    @Test
    void oneEncoderGivesTheSingleProcessTokens() throws Exception {
        byte[] png = image();
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions", chat(VisionStackProcesses.LLAVA, png, List.of(), null).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Segment.Embeddings embeddings;
        try (VisionModel vm = VisionModel.open(VisionStackProcesses.conformance("models/mmproj-mlp-f32.gguf"),
                Parallel.shared(), 1 << 24)) {
            embeddings = vm.embed(png);
        }
        GenerationResult expected = singleProcess(embeddings);
        assertThat(tokenIds(r.json())).isEqualTo(Arrays.stream(expected.tokens()).boxed().toList());
        assertThat(r.json().get("choices").get(0).get("message").get("content").asText()).isEqualTo(expected.text());
        System.out.printf("distributed llava: %d tokens equal to the single-process engine%n", expected.tokens().length);
    }

    @Test
    void qwen2VlGivesTheSingleProcessTokens() throws Exception {
        byte[] png = Files.readAllBytes(VisionStackProcesses.conformance("qwen2vl/images/shapes100x62.png"));
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions",
                chat(VisionStackProcesses.QWEN2VL, png, List.of(), null).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        GenerationResult expected;
        try (VisionModel vm = VisionModel.open(VisionStackProcesses.conformance("qwen2vl/models/mmproj-qwen2vl-64.gguf"),
                Parallel.shared(), 1 << 24);
             LanguageModel lm = LanguageModel.open(VisionStackProcesses.conformance("qwen2vl/models/qwen2vl-gpt2-64.gguf"),
                     Parallel.shared(), Progress.NONE)) {
            Segment.Embeddings image = vm.embed(png);
            assertThat(image.gridHeight() * image.gridWidth()).isEqualTo(image.count()).isPositive();
            List<Segment> input = lm.chatInput(engineMessages(), List.of(image));
            expected = new Generator(lm).generate(input, GenerationConfig.greedy(MAX_TOKENS), TokenListener.NONE);
        }
        assertThat(tokenIds(r.json())).isEqualTo(Arrays.stream(expected.tokens()).boxed().toList());
        System.out.printf("distributed qwen2-vl: %d tokens equal to the single-process engine%n",
                expected.tokens().length);
    }

    /**
     * MiniCPM-V 2.6: the encoder takes the source view and each slice as inputs of their own (400 × 700: the source
     * view and a column of two slices), each is projected alone, and the gateway writes llama.cpp's
     * {@code <image>}/{@code <slice>} text around them; the LLM service then gives the engine's tokens for the same
     * chat ({@code VisionModel.embedForPrompt}, {@code LanguageModel.chatInputPlaced}).
     */
    @Test
    void miniCpmvSlicesGiveTheSingleProcessTokens() throws Exception {
        byte[] png = Files.readAllBytes(java.nio.file.Path.of("..", "engine", "src", "test", "resources", "dev", "fovea",
                "engine", "vision", "reference", "shapes400x700.png"));
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions",
                chat(VisionStackProcesses.MINICPMV, png, List.of(), null).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        GenerationResult expected;
        int positions;
        try (VisionModel vm = VisionModel.open(VisionStackProcesses.target("minicpmv-mmproj.gguf"), Parallel.shared(),
                1 << 24);
             LanguageModel lm = LanguageModel.open(VisionStackProcesses.target("minicpmv-llm.gguf"), Parallel.shared(),
                     Progress.NONE)) {
            VisionModel.PromptImage image = vm.embedForPrompt(png);
            assertThat(image.inputs()).hasSize(3);
            List<Segment> input = lm.chatInputPlaced(engineMessages(), List.of(image));
            positions = input.stream().mapToInt(Segment::length).sum();
            expected = new Generator(lm).generate(input, GenerationConfig.greedy(MAX_TOKENS), TokenListener.NONE);
        }
        assertThat(r.json().get("usage").get("prompt_tokens").asInt()).isEqualTo(positions);
        assertThat(tokenIds(r.json())).isEqualTo(Arrays.stream(expected.tokens()).boxed().toList());
        System.out.printf("distributed MiniCPM-V 2.6 (%d prompt positions, 3 encoder inputs): %d/%d tokens equal to "
                + "the single-process engine%n", positions, expected.tokens().length, expected.tokens().length);
    }

    @Test
    void twoEncodersFusedGiveTheSingleProcessTokens() throws Exception {
        byte[] png = image();
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions", chat(VisionStackProcesses.SPHINX, png, List.of(), null).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        FeatureMap clip;
        FeatureMap siglip;
        try (VisionModel a = VisionModel.open(VisionStackProcesses.conformance("models/mmproj-mlp-f32.gguf"), Parallel.shared(), 1 << 24);
             VisionModel b = VisionModel.open(VisionStackProcesses.target("siglip-tiny.gguf"), Parallel.shared(), 1 << 24)) {
            clip = a.features(png);
            siglip = b.features(png);
        }
        FeatureMap fused;
        try (GgufFile f = GgufFile.open(VisionStackProcesses.target("fusion-clip-siglip.gguf"))) {
            Projector fusion = ProjectorRegistry.load(f);
            fused = fusion.project(List.of(clip, siglip), Parallel.shared());
        }
        GenerationResult expected = singleProcess(new Segment.Embeddings(fused.data(), fused.tokens()));
        assertThat(tokenIds(r.json())).isEqualTo(Arrays.stream(expected.tokens()).boxed().toList());
        System.out.printf("distributed fusion (clip + siglip): %d tokens equal to the single-process engine%n",
                expected.tokens().length);
    }

    @Test
    void anyResTilesGiveTheSingleProcessTokens() throws Exception {
        byte[] png = image(); // 120 × 80 on a 56 px tower: 2 × 1 tiles of the 112 × 56 pinpoint plus the base view
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions", chat(VisionStackProcesses.LLAVA_NEXT, png, List.of(), null).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Segment.Embeddings embeddings;
        try (VisionModel vm = VisionModel.open(VisionStackProcesses.target("clip-anyres-tiny.gguf"), Parallel.shared(), 1 << 24)) {
            embeddings = vm.embed(png);
        }
        GenerationResult expected = singleProcess(embeddings);
        assertThat(r.json().get("usage").get("prompt_tokens").asInt()).isGreaterThan(embeddings.count());
        assertThat(tokenIds(r.json())).isEqualTo(Arrays.stream(expected.tokens()).boxed().toList());
        System.out.printf("distributed AnyRes (%d image positions): %d tokens equal to the single-process engine%n",
                embeddings.count(), expected.tokens().length);
    }

    @Test
    void aRepeatedImageInASecondTurnHitsTheCachesAndComesFaster() throws Exception {
        // warm up every process (JIT) on another image, so the timings compare cache effects, not warm-up
        byte[] other = Files.readAllBytes(VisionStackProcesses.conformance("images/shapes56.png"));
        timeToFirstToken(chat(VisionStackProcesses.LLAVA, other, List.of(), "warm-up"));
        timeToFirstToken(chat(VisionStackProcesses.LLAVA, other, List.of(), "warm-up, again"));
        // a never-seen image (a distinct file: the same picture with one extra byte after the PNG's end)
        byte[] png = Arrays.copyOf(image(), image().length + 1);
        double hitsBefore = encoderCacheHits();
        long ttft1 = timeToFirstToken(chat(VisionStackProcesses.LLAVA, png, List.of(), null));
        GatewayHttp.Reply first = GatewayHttp.post("/v1/chat/completions", chat(VisionStackProcesses.LLAVA, png, List.of(), null).toString());
        String answer = first.json().get("choices").get(0).get("message").get("content").asText();
        double hitsAfterRepeat = encoderCacheHits();
        assertThat(hitsAfterRepeat).isGreaterThan(hitsBefore);
        long ttft2 = timeToFirstToken(chat(VisionStackProcesses.LLAVA, png,
                List.<String[]>of(new String[] {"assistant", answer}), "And what colour is it?"));
        assertThat(encoderCacheHits()).isGreaterThan(hitsAfterRepeat);
        System.out.printf("second turn with the same image: encoder cache hits %.0f → %.0f; time to first token "
                + "%d ms (first turn) vs %d ms (second turn)%n", hitsBefore, encoderCacheHits(), ttft1 / 1_000_000,
                ttft2 / 1_000_000);
    }

    private static double encoderCacheHits() throws Exception {
        int port = ConfigProvider.getConfig().getValue("fovea.test.encoder-clip-port", Integer.class);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^fovea_encoder_cache_hits_total(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** Nanoseconds from sending a streaming request to its first content chunk. */
    private static long timeToFirstToken(ObjectNode body) throws Exception {
        body.put("stream", true);
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(GatewayHttp.base() + "/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofLines());
        long first = -1;
        for (Iterator<String> it = r.body().iterator(); it.hasNext(); ) {
            String line = it.next();
            if (first < 0 && line.startsWith("data: ") && line.contains("\"content\"")) {
                first = System.nanoTime() - t0;
            }
        }
        assertThat(first).as("a content chunk arrived").isPositive();
        return first;
    }
}
