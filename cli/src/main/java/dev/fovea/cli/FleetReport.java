package dev.fovea.cli;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The figures of a {@code fovea bench fleet} run: requests and failures, throughput, client-side TTFT and duration
 * percentiles, the encoders' cache hits per replica (counter deltas over the run), the LLM's prefix reuse seen in
 * the responses' usage ({@code cached_tokens}) and in its replicas' counters, and the kills.
 */
record FleetReport(Map<String, Object> settings, int requests, int succeeded, Map<FleetTurn.Outcome, Integer> failed,
                   int skippedTurns, double seconds, long completionTokens, double[] ttftMs, double[] durationMs,
                   List<Cache> encoders, Reuse firstTurns, Reuse laterTurns, List<Cache> llms,
                   List<FleetReplay.Fired> kills, List<String> errors) {
    static final double[] TTFT_PERCENTILES = {50, 90, 99};
    static final double[] DURATION_PERCENTILES = {50, 90};

    /**
     * One replica's cache counters over the run; {@code scraped} is false when it did not answer before or after
     * (a killed replica), and then it is left out of the totals. {@code reused}: the LLM's reused positions.
     */
    record Cache(String replica, long hits, long misses, long reused, boolean scraped) {
        double ratio() {
            return hits + misses == 0 ? Double.NaN : (double) hits / (hits + misses);
        }

        /** The counters' growth between two scrapes of a replica. */
        static Cache delta(String replica, Map<String, Double> before, Map<String, Double> after, String hits,
                String misses, String reused) {
            if (before == null || after == null) {
                return new Cache(replica, 0, 0, 0, false);
            }
            return new Cache(replica, grown(before, after, hits), grown(before, after, misses),
                    reused == null ? 0 : grown(before, after, reused), true);
        }

        private static long grown(Map<String, Double> before, Map<String, Double> after, String name) {
            return Math.round(after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0));
        }
    }

    /**
     * Prefix reuse of answered turns: how many had cached_tokens > 0, the mean cached share of the prompt, and how
     * many found their conversation's whole previous prompt cached ({@code cached_tokens} ≥ the previous turn's
     * {@code prompt_tokens}) — the reuse that routing decides; any cached token at all may be just the template's
     * opening, which every conversation shares.
     */
    record Reuse(int turns, int reused, double meanCachedFraction, int reusedPreviousTurn) {
        static Reuse of(List<FleetTurn> turns, List<FleetTurn> all) {
            Map<Long, Integer> prompts = new java.util.HashMap<>();
            for (FleetTurn t : all) {
                prompts.put(((long) t.conversation() << 20) + t.turn(), t.promptTokens());
            }
            int reused = 0;
            int previous = 0;
            double fractions = 0;
            for (FleetTurn t : turns) {
                reused += t.cachedTokens() > 0 ? 1 : 0;
                fractions += t.promptTokens() > 0 ? (double) t.cachedTokens() / t.promptTokens() : 0;
                Integer before = t.turn() > 0 ? prompts.get(((long) t.conversation() << 20) + t.turn() - 1) : null;
                previous += before != null && before > 0 && t.cachedTokens() >= before ? 1 : 0;
            }
            return new Reuse(turns.size(), reused, turns.isEmpty() ? Double.NaN : fractions / turns.size(), previous);
        }

        double share() {
            return turns == 0 ? Double.NaN : (double) reused / turns;
        }

        double previousTurnShare() {
            return turns == 0 ? Double.NaN : (double) reusedPreviousTurn / turns;
        }
    }

    static FleetReport of(Map<String, Object> settings, FleetReplay.Result run, List<Cache> encoders,
            List<Cache> llms) {
        Map<FleetTurn.Outcome, Integer> failed = new EnumMap<>(FleetTurn.Outcome.class);
        for (FleetTurn.Outcome o : FleetTurn.Outcome.values()) {
            if (o != FleetTurn.Outcome.OK) {
                failed.put(o, 0);
            }
        }
        List<FleetTurn> ok = new ArrayList<>();
        Set<String> errors = new LinkedHashSet<>();
        long tokens = 0;
        for (FleetTurn t : run.turns()) {
            if (t.ok()) {
                ok.add(t);
                tokens += t.completionTokens();
            } else {
                failed.merge(t.outcome(), 1, Integer::sum);
                if (errors.size() < 5) {
                    errors.add(t.outcome() + ": " + t.error());
                }
            }
        }
        return new FleetReport(settings, run.turns().size(), ok.size(), failed, run.skippedTurns(), run.seconds(),
                tokens, percentiles(ok.stream().map(FleetTurn::ttftMs).toList(), TTFT_PERCENTILES),
                percentiles(ok.stream().map(FleetTurn::durationMs).toList(), DURATION_PERCENTILES), List.copyOf(encoders),
                Reuse.of(ok.stream().filter(t -> t.turn() == 0).toList(), ok),
                Reuse.of(ok.stream().filter(t -> t.turn() > 0).toList(), ok), List.copyOf(llms), run.kills(),
                List.copyOf(errors));
    }

    private static double[] percentiles(List<Double> values, double[] ps) {
        double[] out = new double[ps.length];
        for (int i = 0; i < ps.length; i++) {
            out[i] = Percentiles.of(values, ps[i]);
        }
        return out;
    }

    int failedTotal() {
        return failed.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The encoders' hits and misses summed over the replicas that answered both scrapes. */
    Cache encoderTotal() {
        long h = 0;
        long m = 0;
        for (Cache c : encoders) {
            if (c.scraped()) {
                h += c.hits();
                m += c.misses();
            }
        }
        return new Cache("all", h, m, 0, true);
    }

    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>(settings);
        out.put("requests", requests);
        out.put("succeeded", succeeded);
        out.put("failed", failedTotal());
        Map<String, Integer> kinds = new LinkedHashMap<>();
        failed.forEach((k, v) -> kinds.put(k.name().toLowerCase(Locale.ROOT), v));
        out.put("failures", kinds);
        out.put("skipped_turns", skippedTurns);
        out.put("seconds", round(seconds));
        out.put("requests_per_s", round(succeeded / seconds));
        out.put("completion_tokens", completionTokens);
        out.put("completion_tokens_per_s", round(completionTokens / seconds));
        out.put("ttft_ms", named(TTFT_PERCENTILES, ttftMs));
        out.put("duration_ms", named(DURATION_PERCENTILES, durationMs));
        Map<String, Object> enc = new LinkedHashMap<>(cache(encoderTotal()));
        enc.remove("replica");
        enc.put("replicas", encoders.stream().map(FleetReport::cache).toList());
        out.put("encoder_cache", enc);
        Map<String, Object> reuse = new LinkedHashMap<>();
        reuse.put("first_turns", reuse(firstTurns));
        reuse.put("later_turns", reuse(laterTurns));
        out.put("prefix_reuse", reuse);
        out.put("llm_prefix_cache", llms.stream().map(c -> {
            Map<String, Object> m = cache(c);
            m.put("reused_positions", c.reused());
            return m;
        }).toList());
        out.put("kills", kills.stream().map(k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("component", k.component());
            m.put("after_requests", k.afterRequests());
            m.put("at_s", round(k.atMs() / 1000));
            m.put("killed", k.killed());
            return m;
        }).toList());
        out.put("errors", errors);
        return out;
    }

    String table() {
        StringBuilder b = new StringBuilder();
        line(b, "requests", "%d (ok %d, failed %d: http %d, stream %d, timeout %d, connection %d; skipped turns %d)",
                requests, succeeded, failedTotal(), failed.get(FleetTurn.Outcome.HTTP_ERROR),
                failed.get(FleetTurn.Outcome.STREAM_ERROR), failed.get(FleetTurn.Outcome.TIMEOUT),
                failed.get(FleetTurn.Outcome.CONNECTION), skippedTurns);
        line(b, "throughput", "%.2f req/s, %.1f completion tok/s (%.1f s)", succeeded / seconds,
                completionTokens / seconds, seconds);
        line(b, "TTFT", "p50 %s  p90 %s  p99 %s", ms(ttftMs[0]), ms(ttftMs[1]), ms(ttftMs[2]));
        line(b, "duration", "p50 %s  p90 %s", ms(durationMs[0]), ms(durationMs[1]));
        Cache all = encoderTotal();
        line(b, "encoder cache", "%s hits (%d hits, %d misses)", pct(all.ratio()), all.hits(), all.misses());
        for (Cache c : encoders) {
            line(b, "  " + c.replica(), "%s", c.scraped() ? String.format(Locale.ROOT, "%s (%d hits, %d misses)",
                    pct(c.ratio()), c.hits(), c.misses()) : "not scraped (did not answer before or after the run)");
        }
        line(b, "prefix reuse", "later turns %s reused a cached prefix (mean %s of the prompt cached, %d turns)",
                pct(laterTurns.share()), pct(laterTurns.meanCachedFraction()), laterTurns.turns());
        line(b, "", "later turns %s found their previous turn's whole prompt cached", pct(laterTurns.previousTurnShare()));
        line(b, "", "first turns %s (mean %s, %d turns)", pct(firstTurns.share()),
                pct(firstTurns.meanCachedFraction()), firstTurns.turns());
        for (Cache c : llms) {
            line(b, "  " + c.replica(), "%s", c.scraped() ? String.format(Locale.ROOT,
                    "prefix cache %s hits (%d hits, %d misses, %d positions reused)", pct(c.ratio()), c.hits(),
                    c.misses(), c.reused()) : "not scraped");
        }
        for (FleetReplay.Fired k : kills) {
            line(b, "kill", "%s after %d requests at %.1f s%s", k.component(), k.afterRequests(), k.atMs() / 1000,
                    k.killed() ? "" : " (was not running)");
        }
        for (String e : errors) {
            line(b, "error", "%s", e);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String format, Object... args) {
        b.append(String.format(Locale.ROOT, "%-16s ", label)).append(String.format(Locale.ROOT, format, args))
                .append('\n');
    }

    private static Map<String, Object> named(double[] ps, double[] values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < ps.length; i++) {
            m.put("p" + (int) ps[i], round(values[i]));
        }
        return m;
    }

    private static Map<String, Object> cache(Cache c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replica", c.replica());
        m.put("hits", c.hits());
        m.put("misses", c.misses());
        m.put("hit_ratio", round(c.ratio()));
        m.put("scraped", c.scraped());
        return m;
    }

    private static Map<String, Object> reuse(Reuse r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("turns", r.turns());
        m.put("reused", r.reused());
        m.put("reused_share", round(r.share()));
        m.put("mean_cached_fraction", round(r.meanCachedFraction()));
        m.put("reused_previous_turn", r.reusedPreviousTurn());
        m.put("reused_previous_turn_share", round(r.previousTurnShare()));
        return m;
    }

    /** Rounded to 4 decimals; NaN (nothing measured) becomes null in JSON. */
    private static Double round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 10_000) / 10_000.0;
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f ms", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }
}
