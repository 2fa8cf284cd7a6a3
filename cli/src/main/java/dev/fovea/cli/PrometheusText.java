package dev.fovea.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads Prometheus text exposition (a service's /q/metrics): each metric name's value summed over its labels. */
final class PrometheusText {
    private PrometheusText() {
    }

    static Map<String, Double> sums(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int nameEnd = 0;
            while (nameEnd < line.length() && line.charAt(nameEnd) != '{' && !Character.isWhitespace(line.charAt(nameEnd))) {
                nameEnd++;
            }
            String name = line.substring(0, nameEnd);
            int rest = nameEnd;
            if (rest < line.length() && line.charAt(rest) == '{') {
                rest = labelsEnd(line, rest);
                if (rest < 0) {
                    continue; // a cut line: no value to read
                }
            }
            String[] fields = line.substring(rest).strip().split("\\s+");
            if (name.isEmpty() || fields.length == 0 || fields[0].isEmpty()) {
                continue;
            }
            double v;
            try {
                v = switch (fields[0]) {
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(fields[0]);
                };
            } catch (NumberFormatException e) {
                continue;
            }
            out.merge(name, v, Double::sum);
        }
        return out;
    }

    /** The index after the '}' closing the label set that opens at {@code open}; quoted values may hold '}'. */
    private static int labelsEnd(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i + 1;
            }
        }
        return -1;
    }
}
