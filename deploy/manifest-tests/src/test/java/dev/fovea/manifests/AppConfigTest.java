package dev.fovea.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The environment allow-list is derived from the modules' sources: check the derivation on known settings. */
class AppConfigTest {
    @Test
    void readsPropertiesReferencesAndConfigMappings() {
        AppConfig gateway = AppConfig.of("gateway");
        assertThat(gateway.httpPort()).isEqualTo(8080);
        assertThat(gateway.readableEnv())
                .contains("FOVEA_GATEWAY_PIPELINES", "KAFKA_BOOTSTRAP_SERVERS") // ${ENV} references
                .contains("FOVEA_GATEWAY_MAX_IMAGES") // a key of application.properties
                .contains("FOVEA_GATEWAY_BACKEND_TIMEOUT") // GatewaySettings only
                .contains("FOVEA_JOBS_WORKER_RETRY_FOR") // a nested group of JobSettings
                .doesNotContain("FOVEA_JOBS_RETRY_FOR", "FOVEA_JOBS_ID") // not at the top level
                .noneMatch(n -> n.contains("%"));
        assertThat(gateway.optional("fovea.jobs.worker.id")).isTrue();
        assertThat(gateway.optional("fovea.jobs.worker.group")).isFalse();
        assertThat(gateway.value("fovea.jobs.results-topic")).contains("fovea.jobs.results");
    }

    @Test
    void mapsAreNotEnvironmentSettings() {
        AppConfig adapter = AppConfig.of("adapter-service");
        assertThat(adapter.httpPort()).isEqualTo(8082);
        assertThat(adapter.readableEnv()).contains("FOVEA_ADAPTER_THREADS").doesNotContain("FOVEA_ADAPTER_FILES");
        assertThat(AppConfig.of("encoder-service").readableEnv()).contains("FOVEA_ENCODER_MMPROJ", "FOVEA_ENCODER_NAME");
    }
}
