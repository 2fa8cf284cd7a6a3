package dev.fovea.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the services started by `fovea up`.")
final class DownCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        List<String> stopped = new LocalStack(LocalStack.checkout()).stopAll(Duration.ofSeconds(15));
        System.out.println(stopped.isEmpty() ? "nothing was running" : "stopped: " + String.join(", ", stopped));
        return 0;
    }
}
