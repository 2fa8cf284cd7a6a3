package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.openai.JsonBodies;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI's files API for batch input: {@code POST /v1/files} (multipart: {@code file}, {@code purpose=batch}),
 * {@code GET /v1/files[?purpose,limit,after,order]}, {@code GET /v1/files/{id}}, {@code GET /v1/files/{id}/content},
 * {@code DELETE /v1/files/{id}}. An upload is checked line by line before it is stored (a 400 names the line), so a
 * batch never starts from a file that cannot run.
 */
@ApplicationScoped
class FileRoutes {
    /** Room for the multipart framing around a file of the largest size. */
    private static final long FORM_OVERHEAD = 1 << 20;

    private final BatchSettings settings;
    private final FileStore files;
    private final BatchRequests requests;
    private final ObjectMapper mapper;

    FileRoutes(BatchSettings settings, FileStore files, BatchRequests requests, JsonBodies bodies) {
        this.settings = settings;
        this.files = files;
        this.requests = requests;
        this.mapper = bodies.mapper();
    }

    void register(@Observes Router router) {
        router.post("/v1/files").handler(ctx -> requests.guarded(ctx, this::upload));
        router.get("/v1/files").handler(ctx -> requests.guarded(ctx, this::list));
        router.get("/v1/files/:id").handler(ctx -> requests.guarded(ctx, this::get));
        router.get("/v1/files/:id/content").blockingHandler(ctx -> requests.guarded(ctx, this::content), false);
        router.delete("/v1/files/:id").blockingHandler(ctx -> requests.guarded(ctx, this::delete), false);
    }

    private void upload(RoutingContext ctx) {
        String type = String.valueOf(ctx.request().getHeader("Content-Type")).toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) {
            throw ApiException.badRequest("POST /v1/files takes multipart/form-data with the fields file and purpose",
                    null, "invalid_content_type");
        }
        long limit = settings.maxFileBytes();
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > limit + FORM_OVERHEAD) {
            throw tooLarge(limit);
        }
        UploadedForm.read(ctx.request(), limit)
                .compose(form -> ctx.vertx().executeBlocking(() -> store(form), false))
                .onSuccess(file -> requests.send(ctx, file.json(mapper)))
                .onFailure(e -> requests.fail(ctx, e));
    }

    private StoredFile store(UploadedForm form) {
        if (form.file() == null) {
            throw ApiException.badRequest("the form has no file field: send the JSONL as the part named file", "file",
                    "missing_required_parameter");
        }
        if (form.purpose() == null || form.purpose().isBlank()) {
            throw ApiException.badRequest("the form has no purpose field: send purpose=batch", "purpose",
                    "missing_required_parameter");
        }
        if (!form.purpose().equals("batch")) {
            throw ApiException.badRequest("purpose " + ApiException.quote(form.purpose())
                    + " is not supported here; files are for batches (purpose=batch)", "purpose", "invalid_value");
        }
        if (form.tooLarge()) {
            throw tooLarge(settings.maxFileBytes());
        }
        List<BatchLine> lines = BatchInput.parse(form.file(), settings.maxRequests(), mapper);
        String name = form.filename() == null || form.filename().isBlank() ? "batch.jsonl" : form.filename();
        return files.put(BatchIds.newFile(), name, "batch", form.file(), lines.size());
    }

    private static ApiException tooLarge(long limit) {
        return ApiException.tooLarge("the file is larger than " + limit + " bytes (fovea.batches.max-file-bytes)");
    }

    private void list(RoutingContext ctx) {
        String purpose = ctx.queryParams().get("purpose");
        String order = ctx.queryParams().get("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw ApiException.badRequest("order must be asc or desc, got " + ApiException.quote(order), "order",
                    "invalid_value");
        }
        int limit = BatchRequests.intParam(ctx, "limit", 10_000, 1, 10_000);
        Comparator<StoredFile> oldestFirst = Comparator.comparingLong(StoredFile::createdAt)
                .thenComparing(StoredFile::id);
        List<StoredFile> all = files.all().stream()
                .filter(f -> purpose == null || purpose.isEmpty() || f.purpose().equals(purpose))
                .sorted("asc".equals(order) ? oldestFirst : oldestFirst.reversed()).toList();
        requests.send(ctx, ListPage.of(mapper, all, StoredFile::id, f -> f.json(mapper),
                ctx.queryParams().get("after"), limit));
    }

    private StoredFile find(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return files.get(id).orElseThrow(() -> new ApiException(404, "invalid_request_error",
                "No such File object: " + ApiException.quote(id), "id", "file_not_found"));
    }

    private void get(RoutingContext ctx) {
        requests.send(ctx, find(ctx).json(mapper));
    }

    private void content(RoutingContext ctx) {
        byte[] content = files.content(find(ctx));
        if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().setStatusCode(200).putHeader("Content-Type", "application/octet-stream")
                    .end(Buffer.buffer(content));
        }
    }

    private void delete(RoutingContext ctx) {
        StoredFile file = find(ctx);
        files.delete(file);
        ObjectNode deleted = mapper.createObjectNode();
        deleted.put("id", file.id());
        deleted.put("object", "file");
        deleted.put("deleted", true);
        requests.send(ctx, deleted);
    }
}
