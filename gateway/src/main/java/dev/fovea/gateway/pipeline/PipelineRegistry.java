package dev.fovea.gateway.pipeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The served model ids and their pipelines, read once from {@code fovea.gateway.pipelines} and checked whole. */
@ApplicationScoped
@Startup
public class PipelineRegistry {
    private final Map<String, PipelineConfig> pipelines;

    @Inject
    PipelineRegistry(GatewaySettings settings) {
        this(load(Path.of(settings.pipelines())));
    }

    PipelineRegistry(List<PipelineConfig> list) {
        Map<String, PipelineConfig> byModel = new LinkedHashMap<>();
        for (PipelineConfig p : list) {
            validate(p);
            if (byModel.put(p.model(), p) != null) {
                throw new IllegalArgumentException("model id '" + p.model() + "' is configured twice");
            }
        }
        this.pipelines = byModel;
    }

    /** Reads a registry file; YAML is a superset of JSON, so one parser reads both. */
    static List<PipelineConfig> load(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            PipelinesFile f = yaml.readValue(Files.readAllBytes(file), PipelinesFile.class);
            if (f == null || f.pipelines() == null || f.pipelines().isEmpty()) {
                throw new IllegalArgumentException(file + ": no pipelines (expected a top-level 'pipelines' list)");
            }
            return f.pipelines();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the pipeline registry " + file + ": " + e.getMessage(), e);
        }
    }

    private static void validate(PipelineConfig p) {
        String where = "pipeline '" + p.model() + "': ";
        if (p.model() == null || p.model().isBlank()) {
            throw new IllegalArgumentException("a pipeline has no model id");
        }
        if (p.llm().isEmpty()) {
            throw new IllegalArgumentException(where + "no llm (host:port, or a list of them)");
        }
        for (String r : p.llm()) {
            wrap(where + "llm ", () -> HostPort.parse(r));
        }
        if (p.tiling() == Tiling.ANYRES && p.encoders().size() != 1) {
            // the adapter assembles one tower's views (unpadding, image_newline): AnyRes fuses no encoders
            throw new IllegalArgumentException(where + "tiling 'anyres' takes exactly one encoder");
        }
        Set<String> names = new HashSet<>();
        for (EncoderConfig e : p.encoders()) {
            if (e.name() == null || e.name().isBlank() || e.name().contains("+")) {
                throw new IllegalArgumentException(where + "every encoder needs a name without '+'");
            }
            if (!names.add(e.name())) {
                throw new IllegalArgumentException(where + "encoder '" + e.name() + "' is listed twice");
            }
            if (e.replicas().isEmpty()) {
                throw new IllegalArgumentException(where + "encoder '" + e.name() + "' has no replicas");
            }
            for (String r : e.replicas()) {
                wrap(where + "encoder '" + e.name() + "' replica ", () -> HostPort.parse(r));
            }
        }
        if (!p.encoders().isEmpty()) {
            if (p.adapter() == null || p.adapter().id() == null || p.adapter().id().isBlank()) {
                throw new IllegalArgumentException(where + "a pipeline with encoders needs an adapter id");
            }
            wrap(where + "adapter ", () -> HostPort.parse(p.adapter().address()));
        } else if (!p.combinations().isEmpty()) {
            throw new IllegalArgumentException(where + "combinations need encoders");
        }
        for (Map.Entry<String, CombinationConfig> c : p.combinations().entrySet()) {
            if (c.getValue().encoders().isEmpty() || c.getValue().adapter() == null
                    || c.getValue().adapter().isBlank()) {
                throw new IllegalArgumentException(where + "combination '" + c.getKey()
                        + "' needs encoders and an adapter id");
            }
            for (String name : c.getValue().encoders()) {
                if (!names.contains(name)) {
                    throw new IllegalArgumentException(where + "combination '" + c.getKey()
                            + "' names unknown encoder '" + name + "'");
                }
            }
        }
    }

    private static void wrap(String prefix, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }

    public Optional<PipelineConfig> find(String model) {
        return Optional.ofNullable(model == null ? null : pipelines.get(model));
    }

    public Collection<PipelineConfig> all() {
        return pipelines.values();
    }

    /**
     * The encoders for a request: all of the pipeline's (with its adapter) when {@code requested} is empty, else the
     * combination of that name, or the one whose encoder names joined by '+' are {@code requested}.
     */
    public static EncoderSelection select(PipelineConfig p, String requested) {
        if (requested == null || requested.isBlank()) {
            return new EncoderSelection(String.join("+", names(p.encoders())), p.encoders(),
                    p.adapter() == null ? null : p.adapter().id());
        }
        CombinationConfig c = p.combinations().get(requested);
        String name = requested;
        if (c == null) {
            for (Map.Entry<String, CombinationConfig> e : p.combinations().entrySet()) {
                if (String.join("+", e.getValue().encoders()).equals(requested)) {
                    c = e.getValue();
                    name = e.getKey();
                }
            }
        }
        if (c == null) {
            if (!p.encoders().isEmpty() && requested.equals(String.join("+", names(p.encoders())))) {
                return select(p, null);
            }
            throw ApiException.badRequest("model '" + p.model() + "' has no encoder combination '" + requested
                    + "'; it has " + (p.combinations().isEmpty() ? "none" : p.combinations().keySet()),
                    "fovea.encoders", "unknown_encoder_combination");
        }
        List<EncoderConfig> chosen = new ArrayList<>();
        for (String n : c.encoders()) {
            p.encoders().stream().filter(e -> e.name().equals(n)).forEach(chosen::add);
        }
        return new EncoderSelection(name, chosen, c.adapter());
    }

    private static List<String> names(List<EncoderConfig> encoders) {
        return encoders.stream().map(EncoderConfig::name).toList();
    }
}
