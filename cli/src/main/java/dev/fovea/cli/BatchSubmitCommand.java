package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Uploads a JSONL batch file, creates the batch, and with {@code --wait} follows it to its end with a progress bar
 * (done/total, requests per second, time left), then downloads the output and error files. Prints the batch id on
 * stdout, so scripts can keep it; everything else goes to stderr.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Upload a JSONL of {custom_id, method, url, body} lines and run it as a batch.")
final class BatchSubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "The batch input: one request per line.")
    Path input;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--wait", description = "Follow the batch until it ends (implied by --out and --errors).")
    boolean wait;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the output file (one answer per line) here.")
    Path out;

    @Option(names = "--errors", paramLabel = "FILE", description = "Write the error file (failed lines) here; empty when none failed.")
    Path errors;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Metadata for the batch (up to 16).")
    Map<String, String> metadata;

    @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS", description = "Seconds between polls (default: ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (interval <= 0) {
            throw new IllegalArgumentException("--interval must be positive, got " + interval);
        }
        BatchClient client = new BatchClient(url);
        JsonNode file = client.upload(input);
        JsonNode batch = client.create(file.path("id").asText(), metadata);
        String id = batch.path("id").asText();
        System.out.println(id);
        System.out.flush();
        if (!wait && out == null && errors == null) {
            System.err.println("batch " + id + " submitted (" + file.path("bytes").asLong() + " bytes); follow it with "
                    + "`fovea batch status " + id + "`");
            return 0;
        }
        long started = System.nanoTime();
        ConsoleProgress progress = new ConsoleProgress(!quiet, "requests");
        while (true) {
            if (BatchStatus.total(batch) > 0 || BatchStatus.ended(batch)) {
                progress.update(batch.path("status").asText(), BatchStatus.done(batch), BatchStatus.total(batch));
            }
            if (BatchStatus.ended(batch)) {
                break;
            }
            Thread.sleep((long) (interval * 1000));
            batch = client.batch(id);
        }
        ConsoleProgress.endLine();
        System.err.printf(Locale.ROOT, "%s (%.1f s)%n", BatchStatus.summary(batch),
                (System.nanoTime() - started) / 1e9);
        if (out != null) {
            if (batch.hasNonNull("output_file_id")) {
                client.download(batch.get("output_file_id").asText(), out);
                System.err.println("output: " + out);
            } else {
                Files.write(out, new byte[0]);
                System.err.println("output: " + out + " (empty: no request succeeded)");
            }
        }
        if (errors != null) {
            if (batch.hasNonNull("error_file_id")) {
                client.download(batch.get("error_file_id").asText(), errors);
            } else {
                Files.write(errors, new byte[0]);
            }
            System.err.println("errors: " + errors);
        }
        return batch.path("status").asText().equals("completed") ? 0 : 1;
    }
}
