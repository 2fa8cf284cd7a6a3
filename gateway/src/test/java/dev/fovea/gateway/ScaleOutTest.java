package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scaling out keeps the caches and loses no request: two encoder replicas encode each image once between them,
 * later turns of a conversation find their prefix on the LLM replica that served the first, and killing a replica
 * (SIGKILL) in the middle of a workload fails no request that can be moved. The kills come last.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(ScaleOutProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A distinct small picture per {@code n}: two coloured rectangles placed by n. */
    private static String image(int n) throws Exception {
        BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(200 + n % 50, 220, 240 - n % 40));
        g.fillRect(0, 0, 48, 40);
        g.setColor(new Color((n * 67) % 256, (n * 131) % 256, (n * 29) % 256));
        g.fillRect(n % 30, (n / 30) % 25, 12 + n % 7, 10 + n % 5);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }

    private static ObjectNode chat(String image, List<String[]> turns, int maxTokens) {
        ObjectNode body = GatewayHttp.JSON.createObjectNode();
        body.put("model", ScaleOutProcesses.MODEL).put("temperature", 0).put("max_tokens", maxTokens);
        ArrayNode messages = body.putArray("messages");
        for (int i = 0; i < turns.size(); i++) {
            String[] t = turns.get(i);
            if (i == 0) {
                ArrayNode parts = messages.addObject().put("role", t[0]).putArray("content");
                parts.addObject().put("type", "image_url").putObject("image_url").put("url", image);
                parts.addObject().put("type", "text").put("text", t[1]);
            } else {
                messages.addObject().put("role", t[0]).put("content", t[1]);
            }
        }
        return body;
    }

    /** Prometheus counters and gauges of one service, by metric name (tags dropped, values summed). */
    private static Map<String, Double> metrics(String service) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ScaleOutProcesses.port(service)
                + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*\\})? ([-+0-9.eE]+)$").matcher(text);
        while (m.find()) {
            out.merge(m.group(1), Double.parseDouble(m.group(3)), Double::sum);
        }
        return out;
    }

    private static double counter(String service, String name) throws Exception {
        return metrics(service).getOrDefault(name, 0.0);
    }

    private static GatewayHttp.Reply post(ObjectNode body) throws Exception {
        return GatewayHttp.post("/v1/chat/completions", body.toString());
    }

    @Test
    @Order(1)
    void twoEncoderReplicasEncodeEachImageOnce() throws Exception {
        String[] misses = {"fovea_encoder_cache_misses_total"};
        double before1 = counter("encoder-1", misses[0]);
        double before2 = counter("encoder-2", misses[0]);
        double hitsBefore = counter("encoder-1", "fovea_encoder_cache_hits_total")
                + counter("encoder-2", "fovea_encoder_cache_hits_total");
        int images = 16; // placement follows the replicas' random ports: all on one replica has odds 2 in 2^16
        int rounds = 3;
        List<String> pictures = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            pictures.add(image(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        // a round asks about every image once, in a shuffled order; rounds do not overlap, so no image is asked
        // about twice at once (two calls for one image both miss when the second arrives before the first is done)
        for (int r = 0; r < rounds; r++) {
            List<Future<GatewayHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                String picture = pictures.get((i * 3 + r) % images);
                replies.add(pool.submit(() -> post(chat(picture, List.<String[]>of(new String[] {"user", "What is it?"}), 2))));
            }
            for (Future<GatewayHttp.Reply> f : replies) {
                GatewayHttp.Reply reply = f.get(120, TimeUnit.SECONDS);
                assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            }
        }
        pool.shutdown();
        double m1 = counter("encoder-1", misses[0]) - before1;
        double m2 = counter("encoder-2", misses[0]) - before2;
        double hits = counter("encoder-1", "fovea_encoder_cache_hits_total")
                + counter("encoder-2", "fovea_encoder_cache_hits_total") - hitsBefore;
        System.out.printf("two encoder replicas: %d requests over %d images: misses %.0f + %.0f, hits %.0f%n",
                images * rounds, images, m1, m2, hits);
        // each image encoded on one replica only: as many misses as images, as one replica would have
        assertThat(m1 + m2).isEqualTo(images);
        assertThat(hits).isEqualTo(images * (rounds - 1));
        assertThat(m1).as("both replicas take images").isPositive();
        assertThat(m2).as("both replicas take images").isPositive();
    }

    @Test
    @Order(2)
    void laterTurnsFindTheirPrefixOnTheReplicaThatServedTheFirst() throws Exception {
        int conversations = 12;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<int[]>> cached = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            String picture = image(100 + c);
            cached.add(pool.submit(() -> {
                List<String[]> turns = new ArrayList<>();
                int[] out = new int[6]; // cached tokens of turns 1–3, then their prompt tokens
                String[] questions = {"What is in the picture?", "And its colour?", "Where is it?"};
                for (int t = 0; t < 3; t++) {
                    turns.add(new String[] {"user", questions[t]});
                    GatewayHttp.Reply r = post(chat(picture, turns, 4));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    JsonNode json = r.json();
                    out[t] = json.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt();
                    out[3 + t] = json.path("usage").path("prompt_tokens").asInt();
                    turns.add(new String[] {"assistant", json.get("choices").get(0).get("message").get("content").asText()});
                }
                return out;
            }));
        }
        int later = 0;
        int reused = 0;
        for (Future<int[]> f : cached) {
            int[] c = f.get(180, TimeUnit.SECONDS);
            later += 2;
            // the whole previous turn's prompt found in the cache (any cached token at all may be the template's
            // opening, which every conversation shares)
            reused += (c[1] >= c[3] ? 1 : 0) + (c[2] >= c[4] ? 1 : 0);
        }
        pool.shutdown();
        double served1 = counter("llm-1", "gen_ai_server_request_duration_seconds_count");
        double served2 = counter("llm-2", "gen_ai_server_request_duration_seconds_count");
        System.out.printf("two LLM replicas: %d of %d later turns found the previous turn's prompt cached; requests "
                        + "served %.0f / %.0f%n",
                reused, later, served1, served2);
        assertThat(reused).isEqualTo(later);
        assertThat(served1).as("both LLM replicas serve").isPositive();
        assertThat(served2).as("both LLM replicas serve").isPositive();
    }

    /** Runs {@code count} requests 4 at a time, calling {@code midway} after {@code after} have finished. */
    private static List<GatewayHttp.Reply> workload(int count, int firstImage, int maxTokens, int after,
                                                    Runnable midway) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger done = new AtomicInteger();
        List<Future<GatewayHttp.Reply>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String picture = image(firstImage + i % 12);
            futures.add(pool.submit(() -> {
                try {
                    return post(chat(picture, List.<String[]>of(new String[] {"user", "Describe it."}), maxTokens));
                } finally {
                    if (done.incrementAndGet() == after) {
                        midway.run();
                    }
                }
            }));
        }
        List<GatewayHttp.Reply> out = new ArrayList<>();
        for (Future<GatewayHttp.Reply> f : futures) {
            out.add(f.get(180, TimeUnit.SECONDS)); // none may hang
        }
        pool.shutdown();
        return out;
    }

    @Test
    @Order(3)
    void anEncoderReplicaKilledMidWorkloadFailsNoRequest() throws Exception {
        List<GatewayHttp.Reply> replies = workload(36, 200, 2, 8, () -> ScaleOutProcesses.kill("encoder-2"));
        long failed = replies.stream().filter(r -> r.status() != 200).count();
        System.out.printf("encoder-2 killed after 8 of 36 requests: %d failed%n", failed);
        replies.forEach(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
    }

    @Test
    @Order(4)
    void anLlmReplicaKilledMidWorkloadHangsNothingAndLosesNoRequestThatHadNotStarted() throws Exception {
        List<GatewayHttp.Reply> replies = workload(24, 300, 24, 6, () -> ScaleOutProcesses.kill("llm-2"));
        int ok = 0;
        int midStream = 0;
        for (GatewayHttp.Reply r : replies) {
            if (r.status() == 200) {
                ok++;
            } else {
                // only a request already streaming from the killed replica may fail, and it says it may be retried
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.body()).contains("went away").contains("can be retried");
                midStream++;
            }
        }
        System.out.printf("llm-2 killed after 6 of 24 requests: %d succeeded, %d ended mid-stream (503, retriable)%n",
                ok, midStream);
        assertThat(midStream).isLessThanOrEqualTo(4); // at most the requests in flight at the kill
        List<GatewayHttp.Reply> after = workload(8, 400, 4, -1, () -> { });
        after.forEach(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
    }
}
