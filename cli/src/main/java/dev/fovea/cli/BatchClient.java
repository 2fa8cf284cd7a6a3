package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The gateway's OpenAI files and batches API as the {@code fovea batch} commands use it. A refusal is an
 * IllegalStateException carrying the gateway's own message (which names the line or field at fault).
 */
final class BatchClient {
    private final String base;
    private final ObjectMapper mapper = Json.mapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    BatchClient(String url) {
        this.base = url.replaceAll("/+$", "");
    }

    /** {@code POST /v1/files} with purpose=batch, as multipart/form-data like OpenAI's clients send it. */
    JsonNode upload(Path file) throws IOException, InterruptedException {
        String boundary = "----fovea-" + UUID.randomUUID();
        String name = file.getFileName().toString().replace("\"", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                + "\"\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(file));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return json(send("upload " + file, HttpRequest.newBuilder(uri("/v1/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))));
    }

    JsonNode create(String inputFileId, Map<String, String> metadata) throws IOException, InterruptedException {
        ObjectNode request = mapper.createObjectNode();
        request.put("input_file_id", inputFileId);
        request.put("endpoint", "/v1/chat/completions");
        request.put("completion_window", "24h");
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = request.putObject("metadata");
            metadata.forEach(m::put);
        }
        return json(send("create the batch", HttpRequest.newBuilder(uri("/v1/batches"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request.toString()))));
    }

    JsonNode batch(String id) throws IOException, InterruptedException {
        return json(send("read batch " + id, HttpRequest.newBuilder(uri("/v1/batches/" + id)).GET()));
    }

    JsonNode cancel(String id) throws IOException, InterruptedException {
        return json(send("cancel batch " + id, HttpRequest.newBuilder(uri("/v1/batches/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody())));
    }

    /** The file's content into {@code to} (written whole, then moved into place). */
    void download(String fileId, Path to) throws IOException, InterruptedException {
        byte[] content = send("download " + fileId, HttpRequest.newBuilder(uri("/v1/files/" + fileId + "/content"))
                .GET());
        Path dir = to.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".fovea-batch", ".part");
        try {
            Files.write(tmp, content);
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private byte[] send(String what, HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request.timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IllegalStateException("cannot reach the gateway at " + base + " (is `fovea up` running?)");
        }
        if (r.statusCode() / 100 != 2) {
            String body = new String(r.body(), StandardCharsets.UTF_8);
            String message = GatewayRequests.errorMessage(body).orElse(body);
            throw new IllegalStateException("cannot " + what + ": the gateway answered " + r.statusCode() + ": "
                    + message);
        }
        return r.body();
    }

    private JsonNode json(byte[] body) throws IOException {
        return mapper.readTree(body);
    }
}
