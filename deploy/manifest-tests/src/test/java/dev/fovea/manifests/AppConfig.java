package dev.fovea.manifests;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service module reads from its configuration: its application.properties (the port, the
 * {@code ${ENV:default}} references) and the properties of its {@code @ConfigMapping} interfaces. Every such
 * property can be set from the environment under its MicroProfile name (upper case, non-alphanumerics → '_').
 */
record AppConfig(String module, Properties properties, Set<String> envReferences, Set<String> mappedProperties) {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    // an interface method without parameters: "String mmproj();", "Optional<List<String>> imageUrlHosts();"
    private static final Pattern METHOD = Pattern.compile("^\\s+([\\w.<>, ?]+)\\s+(\\w+)\\(\\);", Pattern.MULTILINE);

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
        mappedProperties.forEach(p -> names.add(envName(p)));
        return names;
    }

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** prefix.kebab-name of each parameterless method of the module's @ConfigMapping interfaces, maps excluded. */
    private static Set<String> mappedProperties(Path sources) {
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(sources)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher mapping = MAPPING.matcher(src);
                if (!mapping.find()) {
                    continue;
                }
                Matcher m = METHOD.matcher(src);
                while (m.find()) {
                    if (!m.group(1).startsWith("Map<")) { // map keys have no unambiguous env form
                        out.add(mapping.group(1) + "." + kebab(m.group(2)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
