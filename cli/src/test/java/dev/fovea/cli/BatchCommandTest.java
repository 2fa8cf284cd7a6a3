package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea batch} against a stand-in for the gateway's files and batches API (the real one is tested in the
 * gateway's BatchesIT): the upload is the multipart form OpenAI's clients send, the batch is followed to its end and
 * its output and error files downloaded; refusals are one line naming what the gateway named.
 */
class BatchCommandTest {
    private static final String LINE = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}\n";

    @TempDir
    Path dir;
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger polls = new AtomicInteger();
    private volatile String uploaded = "";
    private volatile JsonNode created;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        byte[] body = ex.getRequestBody().readAllBytes();
        requests.add(method + " " + path);
        String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
        switch (method + " " + path) {
            case "POST /v1/files" -> {
                uploaded = type + "\n" + new String(body, StandardCharsets.UTF_8);
                if (uploaded.contains("/v1/embeddings")) {
                    reply(ex, 400, "{\"error\":{\"message\":\"line 2: url '/v1/embeddings' is not supported; batches "
                            + "run /v1/chat/completions\",\"type\":\"invalid_request_error\",\"code\":\"invalid_url\"}}");
                } else {
                    reply(ex, 200, "{\"id\":\"file-in\",\"object\":\"file\",\"bytes\":" + body.length + "}");
                }
            }
            case "POST /v1/batches" -> {
                created = Json.mapper().readTree(body);
                reply(ex, 200, batch("validating", 0, 0, 0, null, null));
            }
            case "GET /v1/batches/batch_1" -> {
                int k = polls.incrementAndGet();
                reply(ex, 200, k < 3 ? batch("in_progress", 3, k, 0, null, null)
                        : batch("completed", 3, 2, 1, "\"file-out\"", "\"file-err\""));
            }
            case "POST /v1/batches/batch_1/cancel" -> reply(ex, 200, batch("cancelling", 3, 1, 0, null, null));
            case "GET /v1/files/file-out/content" -> reply(ex, 200, "{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n");
            case "GET /v1/files/file-err/content" -> reply(ex, 200, "{\"custom_id\":\"c\"}\n");
            default -> reply(ex, 404, "{\"error\":{\"message\":\"No such object: " + path + "\"}}");
        }
    }

    private static String batch(String status, int total, int completed, int failed, String out, String err) {
        return "{\"id\":\"batch_1\",\"object\":\"batch\",\"status\":\"" + status + "\",\"request_counts\":{\"total\":"
                + total + ",\"completed\":" + completed + ",\"failed\":" + failed + "},\"output_file_id\":" + out
                + ",\"error_file_id\":" + err + ",\"errors\":null}";
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    void submitUploadsCreatesFollowsAndDownloads() throws Exception {
        Path in = Files.writeString(dir.resolve("in.jsonl"), LINE);
        Path out = dir.resolve("out/out.jsonl");
        Path err = dir.resolve("err.jsonl");
        CliRun.Run r = CliRun.run("batch", "submit", in.toString(), "--url", url() + "/", "--out", out.toString(),
                "--errors", err.toString(), "--interval", "0.01", "--metadata", "run=7");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("batch_1" + System.lineSeparator());
        assertThat(uploaded).startsWith("multipart/form-data; boundary=")
                .contains("name=\"purpose\"\r\n\r\nbatch\r\n")
                .contains("name=\"file\"; filename=\"in.jsonl\"")
                .contains(LINE);
        assertThat(created.path("input_file_id").asText()).isEqualTo("file-in");
        assertThat(created.path("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(created.path("completion_window").asText()).isEqualTo("24h");
        assertThat(created.path("metadata").path("run").asText()).isEqualTo("7");
        assertThat(polls.get()).isEqualTo(3);
        assertThat(Files.readString(out)).isEqualTo("{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n");
        assertThat(Files.readString(err)).isEqualTo("{\"custom_id\":\"c\"}\n");
    }

    @Test
    void submitWithoutWaitPrintsTheIdAndReturns() throws Exception {
        Path in = Files.writeString(dir.resolve("in.jsonl"), LINE);
        CliRun.Run r = CliRun.run("batch", "submit", in.toString(), "--url", url());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("batch_1");
        assertThat(requests).containsExactly("POST /v1/files", "POST /v1/batches");
    }

    @Test
    void statusAndCancelPrintTheCounts() {
        CliRun.Run status = CliRun.run("batch", "status", "batch_1", "--url", url());
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("batch_1 in_progress: 1 succeeded, 0 failed of 3");
        CliRun.Run json = CliRun.run("batch", "status", "batch_1", "--url", url(), "--json");
        assertThat(json.out()).contains("\"object\":\"batch\"");
        CliRun.Run cancel = CliRun.run("batch", "cancel", "batch_1", "--url", url());
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("batch_1 cancelling");
    }

    @Test
    void refusalsAreOneClearLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), LINE + LINE.replace("/v1/chat/completions",
                "/v1/embeddings"));
        CliRun.assertClearError(CliRun.run("batch", "submit", bad.toString(), "--url", url(), "--wait"),
                "400", "line 2", "/v1/embeddings");
        CliRun.assertClearError(CliRun.run("batch", "status", "batch_x", "--url", url()), "404", "batch_x");
        CliRun.assertClearError(CliRun.run("batch", "submit", dir.resolve("missing.jsonl").toString(), "--url", url()),
                "no such file", "missing.jsonl");
        CliRun.assertClearError(CliRun.run("batch", "status", "batch_1", "--url", "http://127.0.0.1:1"),
                "cannot reach the gateway");
    }
}
