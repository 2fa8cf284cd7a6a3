package dev.fovea.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many processes {@code fovea up --replicas} starts per service kind: {@code llm}, {@code encoder} (every
 * encoder of the pipeline), {@code encoder-NAME} (one encoder; wins over {@code encoder}). The adapter is not
 * replicated: the pipeline file names one adapter address. Kinds left out get one replica.
 */
record Replicas(Map<String, Integer> counts) {
    static final int MAX = 8;
    static final Replicas NONE = new Replicas(Map.of());

    Replicas {
        counts = Map.copyOf(counts);
    }

    /** Parses {@code "encoder=2,llm=2"}; every mistake is an error naming the value. */
    static Replicas parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("--replicas needs KIND=N[,KIND=N...], e.g. encoder=2,llm=2");
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String part : spec.split(",", -1)) {
            String item = part.strip();
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--replicas: '" + item + "' is not KIND=N (kinds: llm, encoder, "
                        + "encoder-NAME)");
            }
            String kind = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            if (!kind.equals("llm") && !kind.equals("encoder") && !kind.equals("adapter")
                    && !kind.matches("encoder-[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("--replicas: unknown service kind '" + kind + "' in '" + item
                        + "' (kinds: llm, encoder, encoder-NAME)");
            }
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--replicas: '" + value + "' in '" + item + "' is not a number");
            }
            if (n < 1 || n > MAX) {
                throw new IllegalArgumentException("--replicas: " + kind + "=" + n + " is out of range (1 to " + MAX
                        + " replicas)");
            }
            if (kind.equals("adapter") && n > 1) {
                throw new IllegalArgumentException("--replicas: '" + item + "': the adapter is not replicated (a "
                        + "pipeline lists one adapter address)");
            }
            if (counts.put(kind, n) != null) {
                throw new IllegalArgumentException("--replicas: '" + kind + "' is given twice");
            }
        }
        return new Replicas(counts);
    }

    int llm() {
        return counts.getOrDefault("llm", 1);
    }

    /** The replicas of the named encoder: its own count, else the count for all encoders, else one. */
    int encoder(String name) {
        return counts.getOrDefault("encoder-" + name, counts.getOrDefault("encoder", 1));
    }
}
