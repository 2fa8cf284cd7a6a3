package dev.fovea.gateway.batches;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A {@code multipart/form-data} upload as OpenAI's client sends it to {@code POST /v1/files}: the part named
 * {@code file} (kept in memory, never on the gateway's disk, at most {@code limit} bytes; past that only counted) and
 * the form's other fields.
 *
 * @param file     the file's bytes, or null when there was no {@code file} part
 * @param tooLarge whether the file was longer than the limit (its bytes are then cut short)
 */
record UploadedForm(String filename, byte[] file, boolean tooLarge, String purpose) {

    static Future<UploadedForm> read(HttpServerRequest request, long limit) {
        Promise<UploadedForm> done = Promise.promise();
        Buffer content = Buffer.buffer();
        String[] filename = {null};
        boolean[] seen = {false, false}; // a file part; more bytes than the limit
        request.setExpectMultipart(true);
        request.exceptionHandler(done::tryFail);
        request.uploadHandler(upload -> {
            if (!upload.name().equals("file") || seen[0]) {
                upload.handler(ignored -> { });
                return;
            }
            seen[0] = true;
            filename[0] = upload.filename();
            upload.handler(chunk -> {
                if (content.length() + (long) chunk.length() > limit) {
                    seen[1] = true;
                } else if (!seen[1]) {
                    content.appendBuffer(chunk);
                }
            });
        });
        request.endHandler(v -> done.tryComplete(new UploadedForm(filename[0], seen[0] ? content.getBytes() : null,
                seen[1], request.formAttributes().get("purpose"))));
        return done.future();
    }
}
