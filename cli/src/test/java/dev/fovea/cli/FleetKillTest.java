package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetKillTest {
    @Test
    void nameAtCountIsParsed() {
        FleetKill k = FleetKill.parse("encoder-clip-2@150");
        assertThat(k.component()).isEqualTo("encoder-clip-2");
        assertThat(k.afterRequests()).isEqualTo(150);
    }

    @Test
    void badSpecsAreErrorsNamingTheValue() {
        assertThatThrownBy(() -> FleetKill.parse("llm")).hasMessageContaining("'llm' is not NAME@K");
        assertThatThrownBy(() -> FleetKill.parse("llm@")).hasMessageContaining("'llm@'");
        assertThatThrownBy(() -> FleetKill.parse("@5")).hasMessageContaining("'@5'");
        assertThatThrownBy(() -> FleetKill.parse("llm@x")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> FleetKill.parse("llm@0")).hasMessageContaining("llm@0");
        assertThatThrownBy(() -> FleetKill.parse("a/b@3")).hasMessageContaining("'a/b'");
    }

    @Test
    void onlyALiveComponentOfTheStackIsKilled(@TempDir Path run) throws Exception {
        FleetKill k = FleetKill.parse("encoder-clip-2@1");
        assertThatThrownBy(() -> k.pid(run)).hasMessageContaining("no such component");
        // this test's own JVM holds the pid, but it is not marked as the component: never killed
        Files.writeString(run.resolve("encoder-clip-2.pid"), Long.toString(ProcessHandle.current().pid()));
        assertThatThrownBy(() -> k.fire(run)).hasMessageContaining("not running as that component");
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void theCommandRefusesABadKillAndAnUnreachableGatewayInOneLine() {
        CliRun.assertClearError(CliRun.run("bench", "fleet", "--kill", "llm@x", "--conversations", "2",
                "--images", "1"), "'x'");
        CliRun.assertClearError(CliRun.run("bench", "fleet", "--kill", "no-such-component@1", "--conversations", "2",
                "--images", "1"), "no-such-component");
        CliRun.assertClearError(CliRun.run("bench", "fleet", "--gateway", "http://127.0.0.1:1", "--conversations", "2",
                "--images", "1", "--quiet"), "no gateway answers at http://127.0.0.1:1");
    }
}
