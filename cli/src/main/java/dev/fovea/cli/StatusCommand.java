package dev.fovea.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true, description = "List the services started by `fovea up`.")
final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        LocalStack stack = new LocalStack(LocalStack.checkout());
        Map<String, long[]> all = stack.recorded();
        if (all.isEmpty()) {
            System.out.println("nothing is running (start it with bin/fovea up)");
            return 0;
        }
        int unhealthy = 0;
        for (var e : all.entrySet()) {
            long pid = e.getValue()[0];
            int port = (int) e.getValue()[1];
            boolean alive = LocalStack.isOurs(pid, e.getKey()); // a dead pid reused by another process is not ours
            boolean ready = alive && LocalStack.healthy(e.getKey(), port);
            unhealthy += ready ? 0 : 1;
            System.out.printf("%-16s pid %-8d %s127.0.0.1:%-5d %s%n", e.getKey(), pid,
                    LocalStack.BROKER.equals(e.getKey()) ? "kafka://" : "http://", port,
                    ready ? "ready" : alive ? "NOT READY" : "NOT RUNNING");
        }
        System.out.println("logs: " + stack.logs());
        return unhealthy == 0 ? 0 : 1;
    }
}
