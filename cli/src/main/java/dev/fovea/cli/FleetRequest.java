package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One streamed chat completion of a fleet conversation, timed on the client: the time to the first content delta
 * (TTFT) and to the end of the stream, with the usage of the final chunk ({@code stream_options.include_usage}).
 * It runs on the caller's thread and gives up when the thread is interrupted (the bench's deadline).
 */
final class FleetRequest {
    private FleetRequest() {
    }

    /**
     * The body for turn {@code turn} (0-based): the image and first question, then every earlier answer as the
     * assistant's message and the next question, as a chat client sends the history.
     */
    static ObjectNode body(String model, FleetWorkload.Conversation c, List<String> answers, int turn, int maxTokens) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("model", model);
        ArrayNode messages = r.putArray("messages");
        for (int t = 0; t <= turn; t++) {
            ObjectNode user = messages.addObject().put("role", "user");
            if (t == 0) {
                ArrayNode content = user.putArray("content");
                content.addObject().put("type", "image_url").putObject("image_url").put("url", c.image());
                content.addObject().put("type", "text").put("text", c.questions().get(0));
            } else {
                user.put("content", c.questions().get(t));
            }
            if (t < turn) {
                messages.addObject().put("role", "assistant").put("content", answers.get(t));
            }
        }
        r.put("max_tokens", maxTokens);
        r.put("temperature", 0);
        r.put("stream", true);
        r.putObject("stream_options").put("include_usage", true);
        return r;
    }

    /** Sends {@code body} and reads the stream to its end; {@code runStart} is the run's origin on nanoTime. */
    static FleetTurn send(HttpClient http, String url, ObjectNode body, int conversation, int turn, long runStart,
            Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        double startMs = (t0 - runStart) / 1e6;
        HttpResponse<InputStream> r;
        try {
            r = http.send(GatewayRequests.to(url).timeout(timeout).header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            return FleetTurn.failed(conversation, turn, startMs, FleetTurn.Outcome.TIMEOUT, "no response within "
                    + timeout.toSeconds() + " s", Double.NaN, ms(t0));
        } catch (IOException e) {
            return FleetTurn.failed(conversation, turn, startMs, FleetTurn.Outcome.CONNECTION, String.valueOf(
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), Double.NaN, ms(t0));
        }
        double ttft = Double.NaN;
        StringBuilder answer = new StringBuilder();
        JsonNode usage = null;
        boolean done = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) {
                StringBuilder text = new StringBuilder();
                for (String line; (line = in.readLine()) != null && text.length() < 2000; ) {
                    text.append(line);
                }
                return FleetTurn.failed(conversation, turn, startMs, FleetTurn.Outcome.HTTP_ERROR,
                        "HTTP " + r.statusCode() + ": " + errorMessage(text.toString()), Double.NaN, ms(t0));
            }
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode chunk = Json.mapper().readTree(data);
                if (chunk.has("error")) {
                    return FleetTurn.failed(conversation, turn, startMs, FleetTurn.Outcome.STREAM_ERROR,
                            errorMessage(data), ttft, ms(t0));
                }
                for (JsonNode choice : chunk.path("choices")) {
                    String delta = choice.path("delta").path("content").asText("");
                    if (!delta.isEmpty() && Double.isNaN(ttft)) {
                        ttft = ms(t0);
                    }
                    answer.append(delta);
                }
                if (chunk.hasNonNull("usage")) {
                    usage = chunk.get("usage");
                }
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("deadline");
            }
            return FleetTurn.failed(conversation, turn, startMs, FleetTurn.Outcome.STREAM_ERROR,
                    "stream broke: " + e.getMessage(), ttft, ms(t0));
        }
        if (!done) {
            return FleetTurn.failed(conversation, turn, startMs, FleetTurn.Outcome.STREAM_ERROR,
                    "stream ended without [DONE]", ttft, ms(t0));
        }
        return new FleetTurn(conversation, turn, startMs, FleetTurn.Outcome.OK, null, ttft, ms(t0),
                usage == null ? 0 : usage.path("prompt_tokens").asInt(),
                usage == null ? 0 : usage.path("completion_tokens").asInt(),
                usage == null ? 0 : usage.path("prompt_tokens_details").path("cached_tokens").asInt(),
                answer.toString());
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** OpenAI's {"error": {"message": ...}} when the text is that, else the text itself (shortened). */
    private static String errorMessage(String text) {
        return GatewayRequests.errorMessage(text).orElseGet(() -> ChatRequests.abbreviate(text));
    }
}
