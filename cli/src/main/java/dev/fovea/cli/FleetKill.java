package dev.fovea.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --kill NAME@K}: SIGKILL the local stack's component NAME once K requests have completed, the way a replica
 * dies (no drain, no goodbye), to see what the gateway makes of it.
 */
record FleetKill(String component, int afterRequests) {
    FleetKill {
        if (component == null || !component.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("--kill: '" + component + "' is not a component name");
        }
        if (afterRequests < 1) {
            throw new IllegalArgumentException("--kill " + component + "@" + afterRequests
                    + ": K must be at least 1 (requests completed)");
        }
    }

    static FleetKill parse(String spec) {
        int at = spec.lastIndexOf('@');
        if (at <= 0 || at == spec.length() - 1) {
            throw new IllegalArgumentException("--kill: '" + spec + "' is not NAME@K (e.g. encoder-clip-2@150)");
        }
        try {
            return new FleetKill(spec.substring(0, at), Integer.parseInt(spec.substring(at + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--kill: '" + spec.substring(at + 1) + "' in '" + spec
                    + "' is not a number of requests");
        }
    }

    /** The component's pid when it is a live process of this stack; an error naming it otherwise. */
    long pid(Path runDir) throws IOException {
        Path file = runDir.resolve(component + ".pid");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--kill " + component + ": the local stack has no such component (see "
                    + "bin/fovea status)");
        }
        long pid = Long.parseLong(Files.readString(file).strip());
        if (!LocalStack.isOurs(pid, component)) {
            throw new IllegalArgumentException("--kill " + component + ": pid " + pid + " is not running as that "
                    + "component");
        }
        return pid;
    }

    /** Kills the process if it still is the component; false when it was gone already. */
    boolean fire(Path runDir) throws IOException {
        long pid = pid(runDir);
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return h.isPresent() && h.get().destroyForcibly(); // SIGKILL on Unix
    }
}
