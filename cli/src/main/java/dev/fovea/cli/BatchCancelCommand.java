package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cancels a batch: requests not yet started will not run; those running finish and stay in its output. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a batch (pending requests are not run; running ones finish).")
final class BatchCancelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BATCH_ID")
    String id;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL (default: ${DEFAULT-VALUE}).")
    String url;

    @Override
    public Integer call() throws Exception {
        JsonNode batch = new BatchClient(url).cancel(id);
        System.out.println(BatchStatus.summary(batch));
        return 0;
    }
}
