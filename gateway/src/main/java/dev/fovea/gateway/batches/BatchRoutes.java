package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.jobs.JobQueue;
import dev.fovea.gateway.openai.JsonBodies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's batch API: {@code POST /v1/batches} ({@code input_file_id}, {@code endpoint}, {@code completion_window}
 * "24h", {@code metadata}), {@code GET /v1/batches/{id}}, {@code GET /v1/batches[?limit,after]} (newest first) and
 * {@code POST /v1/batches/{id}/cancel}. Creating stores the batch (validating) and returns; its driver does the rest.
 * Cancelling marks the batch's jobs not to start; the driver ends the batch once the running ones have finished.
 */
@ApplicationScoped
class BatchRoutes {
    static final long COMPLETION_WINDOW_SECONDS = 24 * 3600;
    /** OpenAI's metadata limits. */
    static final int MAX_METADATA_KEYS = 16;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 512;

    private final GatewaySettings gateway;
    private final BatchStore store;
    private final FileStore files;
    private final JobQueue jobs;
    private final BatchRequests requests;
    private final JsonBodies bodies;
    private final ObjectMapper mapper;
    private final BatchProgress progress;

    BatchRoutes(GatewaySettings gateway, BatchStore store, FileStore files, JobQueue jobs, BatchRequests requests,
                JsonBodies bodies) {
        this.gateway = gateway;
        this.store = store;
        this.files = files;
        this.jobs = jobs;
        this.requests = requests;
        this.bodies = bodies;
        this.mapper = bodies.mapper();
        this.progress = new BatchProgress(jobs);
    }

    void register(@Observes Router router) {
        router.post("/v1/batches").handler(BodyHandler.create(false).setBodyLimit(gateway.maxBodyBytes()))
                .blockingHandler(ctx -> requests.guarded(ctx, this::create), false);
        router.get("/v1/batches").handler(ctx -> requests.guarded(ctx, this::list));
        router.get("/v1/batches/:id").handler(ctx -> requests.guarded(ctx, this::get));
        router.post("/v1/batches/:id/cancel").blockingHandler(ctx -> requests.guarded(ctx, this::cancel), false);
    }

    private void create(RoutingContext ctx) {
        JsonNode body = bodies.read(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        if (!body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object", null, "invalid_json");
        }
        String fileId = requiredString(body, "input_file_id");
        String endpoint = requiredString(body, "endpoint");
        String window = requiredString(body, "completion_window");
        if (!endpoint.equals(BatchInput.CHAT_COMPLETIONS)) {
            throw ApiException.badRequest("endpoint " + ApiException.quote(endpoint) + " is not supported; batches run "
                    + BatchInput.CHAT_COMPLETIONS, "endpoint", "invalid_value");
        }
        if (!window.equals("24h")) {
            throw ApiException.badRequest("completion_window must be \"24h\", got " + ApiException.quote(window),
                    "completion_window", "invalid_value");
        }
        JsonNode metadata = metadata(body.get("metadata"));
        StoredFile file = files.get(fileId).orElseThrow(() -> new ApiException(404, "invalid_request_error",
                "No such File object: " + ApiException.quote(fileId), "input_file_id", "file_not_found"));
        if (!file.purpose().equals("batch")) {
            throw ApiException.badRequest("the input file's purpose is " + ApiException.quote(file.purpose())
                    + "; a batch reads a file uploaded with purpose=batch", "input_file_id", "invalid_value");
        }
        long now = System.currentTimeMillis() / 1000;
        Batch batch = store.put(Batch.create(mapper, BatchIds.newBatch(), endpoint, fileId, window, now,
                now + COMPLETION_WINDOW_SECONDS, metadata));
        requests.send(ctx, progress.present(batch));
    }

    private static String requiredString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(field + " is required", field, "missing_required_parameter");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field + " must be a string", field, "invalid_type");
        }
        return v.textValue();
    }

    /** Up to 16 string values under keys of at most 64 characters, values of at most 512; null when absent. */
    private static JsonNode metadata(JsonNode m) {
        if (m == null || m.isNull()) {
            return null;
        }
        if (!m.isObject()) {
            throw ApiException.badRequest("metadata must be an object of strings", "metadata", "invalid_type");
        }
        if (m.size() > MAX_METADATA_KEYS) {
            throw ApiException.badRequest("metadata holds " + m.size() + " keys; at most " + MAX_METADATA_KEYS,
                    "metadata", "invalid_value");
        }
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            if (e.getKey().length() > MAX_METADATA_KEY) {
                throw ApiException.badRequest("metadata keys are at most " + MAX_METADATA_KEY + " characters",
                        "metadata", "invalid_value");
            }
            if (!e.getValue().isTextual()) {
                throw ApiException.badRequest("metadata." + ApiException.quote(e.getKey()) + " must be a string",
                        "metadata", "invalid_type");
            }
            if (e.getValue().textValue().length() > MAX_METADATA_VALUE) {
                throw ApiException.badRequest("metadata values are at most " + MAX_METADATA_VALUE + " characters",
                        "metadata", "invalid_value");
            }
        }
        return m;
    }

    private Batch find(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return store.get(id).orElseThrow(() -> new ApiException(404, "invalid_request_error",
                "No such Batch object: " + ApiException.quote(id), "id", "batch_not_found"));
    }

    private void get(RoutingContext ctx) {
        requests.send(ctx, progress.present(find(ctx)));
    }

    private void list(RoutingContext ctx) {
        int limit = BatchRequests.intParam(ctx, "limit", 20, 1, 100);
        Comparator<Batch> newestFirst = Comparator.comparingLong(Batch::createdAt).thenComparing(Batch::id).reversed();
        List<Batch> all = store.all().stream().map(BatchStore.Entry::batch).sorted(newestFirst).toList();
        requests.send(ctx, ListPage.of(mapper, all, Batch::id, progress::present, ctx.queryParams().get("after"),
                limit));
    }

    private void cancel(RoutingContext ctx) {
        Batch batch = find(ctx);
        String status = progress.present(batch).path("status").asText();
        if (!status.equals(Batch.VALIDATING) && !status.equals(Batch.IN_PROGRESS)
                && !status.equals(Batch.CANCELLING)) {
            throw new ApiException(409, "invalid_request_error", "Cannot cancel a batch with status "
                    + ApiException.quote(status), "id", "batch_not_cancellable");
        }
        jobs.cancel(batch.id());
        requests.send(ctx, progress.present(batch));
    }
}
