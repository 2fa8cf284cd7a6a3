package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus meters, and a client that hangs up mid-stream cancelling the LLM call. */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class MetricsAndCancellationTest {
    private static String metrics() throws Exception {
        return GatewayHttp.get("/q/metrics").body();
    }

    private static double value(String metrics, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.eE+-]+)$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    @Test
    void requestsAreCountedByModelAndStatusWithTimeToFirstTokenAndBackendLatency() throws Exception {
        String before = metrics();
        assertThat(GatewayHttp.post("/v1/chat/completions", ChatCompletionsTest.request("llama-q8", 4).toString())
                .status()).isEqualTo(200);
        assertThat(GatewayHttp.post("/v1/chat/completions", ChatCompletionsTest.request("gpt-x", 4).toString())
                .status()).isEqualTo(404);
        String after = metrics();
        String ok = "fovea_gateway_requests_seconds_count\\{[^}]*model=\"llama-q8\"[^}]*status=\"200\"[^}]*\\}";
        String notFound = "fovea_gateway_requests_seconds_count\\{[^}]*model=\"unknown\"[^}]*status=\"404\"[^}]*\\}";
        assertThat(value(after, ok) - value(before, ok)).isEqualTo(1.0);
        assertThat(value(after, notFound) - value(before, notFound)).isEqualTo(1.0);
        assertThat(value(after, "fovea_gateway_time_to_first_token_seconds_count\\{model=\"llama-q8\"\\}"))
                .isGreaterThan(0);
        assertThat(value(after, "fovea_gateway_images_per_request_count\\{model=\"llama-q8\"\\}")).isGreaterThan(0);
        for (String method : new String[] {"Describe", "Tokenize", "Generate"}) {
            assertThat(value(after, "fovea_gateway_backend_duration_seconds_count\\{[^}]*backend=\"llm\"[^}]*method=\""
                    + method + "\"[^}]*outcome=\"OK\"[^}]*\\}")).as(method).isGreaterThan(0);
        }
    }

    @Test
    void aClientThatHangsUpCancelsTheGeneration() throws Exception {
        String cancelled = "fovea_gateway_backend_duration_seconds_count\\{[^}]*method=\"Generate\"[^}]*"
                + "outcome=\"CANCELLED\"[^}]*\\}";
        String gone = "fovea_gateway_requests_seconds_count\\{[^}]*status=\"499\"[^}]*stream=\"true\"[^}]*\\}";
        double cancelledBefore = value(metrics(), cancelled);
        double goneBefore = value(metrics(), gone);

        // as long a generation as the context allows (the prompt takes a few dozen positions)
        ObjectNode body = ChatCompletionsTest.request("llama-q8", HostileHttpInputTest.contextLength() - 100);
        body.put("stream", true);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", GatewayHttp.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                // headers, chunk sizes
            }
            assertThat(line).contains("chat.completion.chunk");
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && value(metrics(), cancelled) == cancelledBefore) {
            Thread.sleep(100);
        }
        assertThat(value(metrics(), cancelled)).isEqualTo(cancelledBefore + 1);
        assertThat(value(metrics(), gone)).isEqualTo(goneBefore + 1);
    }
}
