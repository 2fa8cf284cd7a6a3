package dev.fovea.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Prometheus series a module exports at /q/metrics, derived from the Micrometer meters its sources register
 * ({@code Gauge.builder("fovea.llm.queued", ...)} → {@code fovea_llm_queued}; a Timer adds {@code _seconds} and its
 * {@code _sum}, {@code _count}, {@code _max}, {@code _bucket}; a Counter {@code _total}), so that an autoscaler's query
 * names series that exist.
 */
final class ExportedMetrics {
    private static final Pattern METER = Pattern.compile(
            "\\b(Gauge|Timer|Counter|DistributionSummary)\\.builder\\(\"([a-z0-9._]+)\"");
    /** A series name in a PromQL query. */
    static final Pattern SERIES = Pattern.compile("\\bfovea_[a-z0-9_]+");

    private ExportedMetrics() {
    }

    static Set<String> of(String module) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Repo.module(module).resolve("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = METER.matcher(Files.readString(f));
                while (m.find()) {
                    String base = m.group(2).replace('.', '_');
                    switch (m.group(1)) {
                        case "Gauge" -> names.add(base);
                        case "Counter" -> names.add(base + "_total");
                        case "Timer" -> Stream.of("_sum", "_count", "_max", "_bucket")
                                .forEach(s -> names.add(base + "_seconds" + s));
                        default -> Stream.of("_sum", "_count", "_max", "_bucket").forEach(s -> names.add(base + s));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
