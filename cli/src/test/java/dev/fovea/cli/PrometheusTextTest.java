package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counters the fleet bench scrapes, as the services' Micrometer registries export them. */
class PrometheusTextTest {
    @Test
    void countersAreSummedOverTheirLabels() {
        String text = """
                # TYPE fovea_encoder_cache_hits counter
                # HELP fovea_encoder_cache_hits \s
                fovea_encoder_cache_hits_total 41.0
                # TYPE fovea_encoder_cache_misses counter
                fovea_encoder_cache_misses_total{encoder="clip"} 3.0
                fovea_encoder_cache_misses_total{encoder="odd } name, with \\"quotes\\""} 2.0 1712345678000
                fovea_llm_prefix_cache_hits 1.5E3
                http_server_requests_seconds_bucket{le="+Inf",uri="/q/metrics"} 7
                gauge_inf +Inf
                broken_line{le="1"
                not_a_number abc
                """;
        Map<String, Double> m = PrometheusText.sums(text);
        assertThat(m).containsEntry("fovea_encoder_cache_hits_total", 41.0)
                .containsEntry("fovea_encoder_cache_misses_total", 5.0)
                .containsEntry("fovea_llm_prefix_cache_hits", 1500.0)
                .containsEntry("http_server_requests_seconds_bucket", 7.0)
                .containsEntry("gauge_inf", Double.POSITIVE_INFINITY)
                .doesNotContainKeys("broken_line", "not_a_number", "#");
    }

    @Test
    void theCacheDeltaIsTheGrowthAndAReplicaThatDidNotAnswerIsMarked() {
        FleetReport.Cache c = FleetReport.Cache.delta("encoder-clip", Map.of("h", 10.0, "m", 4.0),
                Map.of("h", 40.0, "m", 14.0), "h", "m", null);
        assertThat(c.hits()).isEqualTo(30);
        assertThat(c.misses()).isEqualTo(10);
        assertThat(c.ratio()).isEqualTo(0.75);
        FleetReport.Cache gone = FleetReport.Cache.delta("encoder-clip-2", Map.of("h", 1.0), null, "h", "m", null);
        assertThat(gone.scraped()).isFalse();
        assertThat(gone.ratio()).isNaN();
    }
}
