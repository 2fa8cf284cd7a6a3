package dev.fovea.manifests;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service module reads from its configuration: its application.properties (the port, the
 * {@code ${ENV:default}} references) and the properties of its {@code @ConfigMapping} interfaces. Every such
 * property can be set from the environment under its MicroProfile name (upper case, non-alphanumerics → '_').
 */
record AppConfig(String module, Properties properties, Set<String> envReferences,
                 Map<String, Boolean> mappedProperties) {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    // an interface method without parameters: "String mmproj();", "Optional<List<String>> imageUrlHosts();"
    private static final Pattern METHOD = Pattern.compile("^\\s+([\\w.<>, ?]+)\\s+(\\w+)\\(\\);", Pattern.MULTILINE);
    private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{]*\\{");

    static AppConfig of(String module) {
        Path dir = Repo.module(module);
        Path file = dir.resolve("src/main/resources/application.properties");
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("module '" + module + "' has no readable " + file, e);
        }
        Set<String> refs = new TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            Matcher m = ENV_REF.matcher(props.getProperty(key));
            while (m.find()) {
                refs.add(m.group(1));
            }
        }
        return new AppConfig(module, props, refs, mappedProperties(dir.resolve("src/main/java")));
    }

    static boolean exists(String module) {
        return Files.isRegularFile(Repo.module(module).resolve("src/main/resources/application.properties"));
    }

    /** The production value of a property (no profile), with a {@code ${ENV:default}} reduced to its default. */
    Optional<String> value(String key) {
        String v = properties.getProperty(key);
        if (v == null) {
            return Optional.empty();
        }
        Matcher m = ENV_REF.matcher(v);
        return Optional.of(m.matches() ? (m.group(2) == null ? "" : m.group(2)) : v);
    }

    int httpPort() {
        return Integer.parseInt(value("quarkus.http.port").orElseThrow(
                () -> new IllegalStateException(module + " sets no quarkus.http.port")));
    }

    /** Environment variables this service reads: the explicit references and the env names of its properties. */
    Set<String> readableEnv() {
        Set<String> names = new TreeSet<>(envReferences);
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("%")) { // a profile's key (%test.) is not read in production
                names.add(envName(key));
            }
        }
        mappedProperties.keySet().forEach(p -> names.add(envName(p)));
        return names;
    }

    /** An Optional in its @ConfigMapping: an empty value means "not set", not a missing setting. */
    boolean optional(String property) {
        return mappedProperties.getOrDefault(property, false);
    }

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * Each leaf property of the module's @ConfigMapping interfaces: {@code prefix.kebab-name} of a parameterless
     * method, with nested group interfaces adding their method's name ({@code fovea.jobs.worker.group}); maps are
     * left out (their keys have no unambiguous env form). Optional-typed properties are flagged so.
     */
    private static Map<String, Boolean> mappedProperties(Path sources) {
        Map<String, Boolean> out = new TreeMap<>();
        if (!Files.isDirectory(sources)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher mapping = MAPPING.matcher(src);
                if (mapping.find()) {
                    mapped(src, mapping.group(1), out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void mapped(String src, String prefix, Map<String, Boolean> out) {
        // the interfaces' bodies as [start, end) spans; the first is the mapping itself
        List<String> names = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        Matcher i = INTERFACE.matcher(src);
        while (i.find()) {
            int depth = 0;
            int end = i.end() - 1;
            do {
                char c = src.charAt(end++);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            } while (depth > 0);
            names.add(i.group(1));
            spans.add(new int[] {i.end(), end});
        }
        List<String[]> methods = new ArrayList<>(); // owner interface, return type, name
        Matcher m = METHOD.matcher(src);
        while (m.find()) {
            int owner = 0;
            for (int k = 0; k < spans.size(); k++) { // the innermost span holding the method
                if (spans.get(k)[0] <= m.start() && m.start() < spans.get(k)[1]
                        && spans.get(k)[0] >= spans.get(owner)[0]) {
                    owner = k;
                }
            }
            methods.add(new String[] {names.get(owner), m.group(1), m.group(2)});
        }
        Map<String, String> prefixes = new HashMap<>(Map.of(names.getFirst(), prefix));
        for (int round = 0; round < names.size(); round++) { // groups nested in groups resolve outside in
            for (String[] x : methods) {
                if (names.contains(x[1]) && prefixes.containsKey(x[0])) {
                    prefixes.put(x[1], prefixes.get(x[0]) + "." + kebab(x[2]));
                }
            }
        }
        for (String[] x : methods) {
            if (!names.contains(x[1]) && !x[1].startsWith("Map<") && prefixes.containsKey(x[0])) {
                out.put(prefixes.get(x[0]) + "." + kebab(x[2]), x[1].startsWith("Optional<"));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
