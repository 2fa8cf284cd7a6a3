package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code fovea up} against a machine where another stack holds the ports, and {@code status} against pids that
 * are not its own: the pre-check names the port and its component, and only marked processes count as the stack's.
 */
class HostileLocalStackTest {
    @Test
    void aHeldPortIsReportedWithItsComponentAndAFreeOneIsNot() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0)); // another process's listener, as far as up can tell
            int held = other.getLocalPort();
            int free;
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", 0));
                free = probe.getLocalPort();
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            ports.put("gateway", held);
            ports.put("llm", free);
            assertThat(LocalStack.portsInUse(ports))
                    .containsExactly("port " + held + " (gateway) on 127.0.0.1 is in use by another process");
        }
    }

    @Test
    void onlyProcessesMarkedAsTheComponentAreTheStacks() throws Exception {
        assertThat(LocalStack.isOurs(ProcessHandle.current().pid(), "llm")).isFalse();
        Process p = new ProcessBuilder("bash", "-c", "sleep 30; exit 0", LocalStack.MARKER + "llm").start();
        try {
            assertThat(LocalStack.isOurs(p.pid(), "llm")).isTrue();
            assertThat(LocalStack.isOurs(p.pid(), "gateway")).isFalse();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(LocalStack.isOurs(p.pid(), "llm")).as("an exited process").isFalse();
    }
}
