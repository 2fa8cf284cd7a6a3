package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** One look at a batch: its status and counts, or the whole batch object with {@code --json}. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a batch's status and counts.")
final class BatchStatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BATCH_ID")
    String id;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--json", description = "Print the batch object as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode batch = new BatchClient(url).batch(id);
        System.out.println(json ? batch.toString() : BatchStatus.summary(batch));
        return 0;
    }
}
