package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet report's figures, its JSON and its chart, from a made-up run. */
class FleetReportTest {
    private static FleetTurn ok(int conversation, int turn, double ttft, int prompt, int cached) {
        return new FleetTurn(conversation, turn, conversation * 100.0 + turn, FleetTurn.Outcome.OK, null, ttft,
                ttft + 50, prompt, 4, cached, " red");
    }

    private static FleetReplay.Result run() {
        List<FleetTurn> turns = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            turns.add(ok(c, 0, 10 * (c + 1), 100, c < 5 ? 0 : 50)); // TTFT 10..100 ms
        }
        turns.add(ok(0, 1, Double.NaN, 200, 150)); // an answer with no content: no TTFT
        turns.add(ok(1, 1, 30, 200, 0));
        turns.add(FleetTurn.failed(2, 1, 300, FleetTurn.Outcome.HTTP_ERROR, "HTTP 503: gone", Double.NaN, 5));
        turns.add(FleetTurn.failed(3, 1, 400, FleetTurn.Outcome.TIMEOUT, "not finished within 1 s", Double.NaN, 1000));
        return new FleetReplay.Result(turns, 2, List.of(new FleetReplay.Fired("encoder-clip-2", 7, 2500, true)), 2.0);
    }

    private static FleetReport report() {
        List<FleetReport.Cache> encoders = List.of(new FleetReport.Cache("encoder-clip", 9, 3, 0, true),
                new FleetReport.Cache("encoder-clip-2", 0, 0, 0, false));
        List<FleetReport.Cache> llms = List.of(new FleetReport.Cache("llm", 11, 1, 600, true));
        return FleetReport.of(Map.of("concurrency", 4), run(), encoders, llms);
    }

    @Test
    void figuresCountFailuresAndLeaveThemOutOfTheLatencies() {
        FleetReport r = report();
        assertThat(r.requests()).isEqualTo(14);
        assertThat(r.succeeded()).isEqualTo(12);
        assertThat(r.failedTotal()).isEqualTo(2);
        assertThat(r.failed()).containsEntry(FleetTurn.Outcome.HTTP_ERROR, 1).containsEntry(FleetTurn.Outcome.TIMEOUT, 1);
        assertThat(r.ttftMs()).containsExactly(50, 90, 100); // 11 values: 10..100 and 30
        assertThat(r.completionTokens()).isEqualTo(48);
        assertThat(r.laterTurns().turns()).isEqualTo(2);
        assertThat(r.laterTurns().share()).isEqualTo(0.5);
        assertThat(r.laterTurns().meanCachedFraction()).isEqualTo(0.375); // (150/200 + 0) / 2
        // conversation 0's second turn had its first turn's 100 prompt tokens cached (150 ≥ 100); 1's had none
        assertThat(r.laterTurns().reusedPreviousTurn()).isEqualTo(1);
        assertThat(r.firstTurns().reusedPreviousTurn()).isZero();
        assertThat(r.firstTurns().share()).isEqualTo(0.5);
        assertThat(r.encoderTotal().ratio()).isEqualTo(0.75); // the unscraped replica left out
    }

    @Test
    void theJsonHoldsEveryFigureAndNullForWhatWasNotMeasured() throws Exception {
        JsonNode j = Json.mapper().readTree(Json.write(report().json()));
        assertThat(j.get("concurrency").asInt()).isEqualTo(4);
        assertThat(j.get("requests").asInt()).isEqualTo(14);
        assertThat(j.get("failed").asInt()).isEqualTo(2);
        assertThat(j.get("failures").get("http_error").asInt()).isEqualTo(1);
        assertThat(j.get("failures").get("timeout").asInt()).isEqualTo(1);
        assertThat(j.get("skipped_turns").asInt()).isEqualTo(2);
        assertThat(j.get("requests_per_s").asDouble()).isEqualTo(6.0);
        assertThat(j.get("completion_tokens_per_s").asDouble()).isEqualTo(24.0);
        assertThat(j.get("ttft_ms").get("p99").asDouble()).isEqualTo(100);
        assertThat(j.get("duration_ms").has("p90")).isTrue();
        assertThat(j.get("encoder_cache").get("hit_ratio").asDouble()).isEqualTo(0.75);
        JsonNode gone = j.get("encoder_cache").get("replicas").get(1);
        assertThat(gone.get("scraped").asBoolean()).isFalse();
        assertThat(gone.get("hit_ratio").isNull()).isTrue();
        assertThat(j.get("prefix_reuse").get("later_turns").get("reused_share").asDouble()).isEqualTo(0.5);
        assertThat(j.get("prefix_reuse").get("later_turns").get("reused_previous_turn_share").asDouble()).isEqualTo(0.5);
        assertThat(j.get("llm_prefix_cache").get(0).get("reused_positions").asInt()).isEqualTo(600);
        assertThat(j.get("kills").get(0).get("component").asText()).isEqualTo("encoder-clip-2");
        assertThat(j.get("kills").get(0).get("at_s").asDouble()).isEqualTo(2.5);
        assertThat(j.get("errors")).hasSize(2);
    }

    @Test
    void theTableAndTheChartAreWritten(@TempDir Path dir) throws Exception {
        FleetReport r = report();
        assertThat(r.table()).contains("14 (ok 12, failed 2: http 1, stream 0, timeout 1, connection 0; skipped turns 2)")
                .contains("p50 50 ms").contains("75.0 % hits").contains("  encoder-clip-2 not scraped")
                .contains("kill             encoder-clip-2 after 7 requests at 2.5 s");
        Path png = dir.resolve("fleet.png");
        FleetChartPng.write(png, "test", r, run().turns());
        assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(500);
        assertThat(FleetChartPng.niceCeiling(730)).isEqualTo(1000);
        assertThat(FleetChartPng.niceCeiling(130)).isEqualTo(200);
    }
}
