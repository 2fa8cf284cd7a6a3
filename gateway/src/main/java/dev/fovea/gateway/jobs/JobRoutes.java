package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.openai.HttpReplies;
import dev.fovea.gateway.openai.JsonBodies;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The HTTP job API (docs/jobs.md): {@code POST /v1/jobs} takes one JSON job, a JSON array of jobs, or JSONL (one
 * job per line); {@code GET /v1/jobs/{id}} and {@code GET /v1/jobs?batch=…} read results. A submission is all or
 * nothing: one invalid job rejects it with the line (or index) at fault, before anything reaches Kafka.
 */
@ApplicationScoped
class JobRoutes {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(JobRoutes.class);
    private final JobSettings settings;
    private final GatewaySettings gateway;
    private final JobSubmitter submitter;
    private final JobResultsView view;
    private final JobMetrics metrics;
    private final JsonBodies bodies;
    private final HttpReplies replies;
    private final ObjectMapper mapper;
    private final JobCodec codec;
    private final JobResultJson results;

    JobRoutes(JobSettings settings, GatewaySettings gateway, JobSubmitter submitter, JobResultsView view,
              JobMetrics metrics, JsonBodies bodies, HttpReplies replies) {
        this.settings = settings;
        this.gateway = gateway;
        this.submitter = submitter;
        this.view = view;
        this.metrics = metrics;
        this.bodies = bodies;
        this.replies = replies;
        this.mapper = bodies.mapper();
        this.codec = new JobCodec(mapper, gateway.maxMessages());
        this.results = new JobResultJson(mapper);
    }

    void register(@Observes Router router) {
        router.post("/v1/jobs").handler(BodyHandler.create(false).setBodyLimit(gateway.maxBodyBytes()))
                .blockingHandler(ctx -> guarded(ctx, this::submit), false);
        router.get("/v1/jobs/:id").handler(ctx -> guarded(ctx, this::get));
        router.get("/v1/jobs").handler(ctx -> guarded(ctx, this::list));
    }

    private interface Handler {
        void handle(RoutingContext ctx);
    }

    private void guarded(RoutingContext ctx, Handler handler) {
        if (!settings.enabled()) {
            replies.fail(ctx, new ApiException(404, "invalid_request_error",
                    "the job API is off on this gateway (fovea.jobs.enabled)", null, "jobs_disabled"));
            return;
        }
        try {
            handler.handle(ctx);
        } catch (ApiException e) {
            replies.fail(ctx, e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "request %s: job API request failed unexpectedly", HttpReplies.requestId(ctx));
            replies.fail(ctx, ApiException.internal());
        }
    }

    private void submit(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        String batch = Optional.ofNullable(ctx.queryParams().get("batch")).filter(b -> !b.isBlank())
                .orElse("batch-" + UUID.randomUUID());
        JobCodec.checkBatch(batch);
        List<JsonNode> jobs = parse(body, ctx.request().getHeader("Content-Type"));
        if (jobs.isEmpty()) {
            throw ApiException.badRequest("no jobs in the request body", null, "invalid_value");
        }
        if (jobs.size() > settings.maxJobsPerSubmission()) {
            throw ApiException.badRequest("at most " + settings.maxJobsPerSubmission()
                    + " jobs per submission (fovea.jobs.max-jobs-per-submission)", null,
                    "too_many_jobs");
        }
        List<JobSubmitter.Outgoing> outgoing = new ArrayList<>(jobs.size());
        ArrayNode accepted = mapper.createArrayNode();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < jobs.size(); i++) {
            ObjectNode job;
            try {
                job = codec.normalize(jobs.get(i), batch);
            } catch (InvalidJobException e) {
                throw ApiException.badRequest("job " + (i + 1) + ": " + e.getMessage(), null, e.code());
            }
            String id = job.get("id").asText();
            if (!ids.add(id)) {
                throw ApiException.badRequest("job " + (i + 1) + ": id " + id + " appears twice", null,
                        "duplicate_id");
            }
            try {
                outgoing.add(new JobSubmitter.Outgoing(id, job.get("batch").asText(), mapper.writeValueAsBytes(job),
                        JobHeaders.JSON, job.path("priority").asInt(0)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            ObjectNode a = accepted.addObject();
            a.put("id", id);
            a.put("client_ref", job.path("client_ref").asText(""));
        }
        submitter.submit(batch, outgoing);
        metrics.submitted("http", outgoing.size());
        ObjectNode answer = mapper.createObjectNode();
        answer.put("object", "fovea.job_submission");
        answer.put("batch", batch);
        answer.put("count", outgoing.size());
        answer.set("jobs", accepted);
        send(ctx.response(), 202, answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** JSONL when the content type says so or the body holds several top-level values; else one value. */
    private List<JsonNode> parse(byte[] body, String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        boolean lines = type.contains("jsonl") || type.contains("ndjson") || type.contains("json-seq");
        List<JsonNode> jobs = new ArrayList<>();
        if (!lines) {
            try (var parser = bodies.parser(body)) {
                JsonNode first = mapper.readTree(parser);
                if (first == null) {
                    return jobs;
                }
                if (parser.nextToken() == null) {
                    if (first.isArray()) {
                        first.forEach(jobs::add);
                    } else {
                        jobs.add(first);
                    }
                    return jobs;
                }
            } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
                throw JsonBodies.invalid(e, "the request body");
            } catch (JsonProcessingException e) {
                // maybe JSONL after all; the line-by-line pass below says where it breaks
            } catch (IOException e) {
                throw ApiException.badRequest("the request body cannot be read", null, "invalid_json");
            }
        }
        String[] split = new String(body, StandardCharsets.UTF_8).split("\r?\n");
        for (int i = 0; i < split.length; i++) {
            if (split[i].isBlank()) {
                continue;
            }
            try {
                jobs.add(bodies.read(split[i].getBytes(StandardCharsets.UTF_8)));
            } catch (ApiException e) {
                throw new ApiException(e.status(), e.type(), "line " + (i + 1) + ": " + e.getMessage(), e.param(),
                        e.code());
            }
            if (jobs.size() > settings.maxJobsPerSubmission()) {
                break; // the caller refuses the submission by its count; no need to parse the rest
            }
        }
        return jobs;
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JobCodec.checkId(id);
        Optional<byte[]> result = view.result(id);
        if (result.isPresent()) {
            send(ctx.response(), 200, result.get());
            return;
        }
        Optional<String> batch = submitter.queuedBatch(id);
        if (batch.isPresent()) {
            send(ctx.response(), 200, results.queued(id, batch.get()).toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        throw new ApiException(404, "invalid_request_error", "no job '" + id + "' is known here (no result yet, "
                + "and not submitted through this gateway)", "id", "job_not_found");
    }

    private void list(RoutingContext ctx) {
        String batch = ctx.queryParams().get("batch");
        if (batch == null || batch.isBlank()) {
            throw ApiException.badRequest("give ?batch=ID (the id POST /v1/jobs answered with)", "batch",
                    "missing_required_parameter");
        }
        JobCodec.checkBatch(batch);
        List<String> ids = view.batch(batch);
        ObjectNode answer = mapper.createObjectNode();
        answer.put("object", "list");
        answer.put("batch", batch);
        Optional<Integer> size = submitter.batchSize(batch);
        if (size.isPresent()) {
            answer.put("submitted", size.get());
        } else {
            answer.putNull("submitted");
        }
        answer.put("completed", ids.size());
        ArrayNode data = answer.putArray("data");
        for (String id : ids) {
            view.result(id).ifPresent(bytes -> {
                try {
                    data.add(mapper.readTree(bytes));
                } catch (IOException e) {
                    // a result that is not JSON was not written by a worker; leave it out
                }
            });
        }
        send(ctx.response(), 200, answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void send(HttpServerResponse response, int status, byte[] body) {
        replies.send(response, status, body);
    }
}
