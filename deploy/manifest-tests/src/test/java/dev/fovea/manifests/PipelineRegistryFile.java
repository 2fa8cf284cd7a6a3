package dev.fovea.manifests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The gateway's pipeline registry as docs/gateway.md defines it, read as strictly as the gateway's
 * PipelineRegistry (kebab-case keys, unknown keys refused). Mirrored here because depending on the gateway would
 * build the whole service for a file format; {@link PipelineChecks} adds the gateway's validation rules.
 */
record PipelineRegistryFile(List<Pipeline> pipelines) {
    record Pipeline(String model, String llm, String tiling, List<Encoder> encoders, Adapter adapter,
                    String template, Map<String, Combination> combinations) {
        Pipeline {
            encoders = encoders == null ? List.of() : encoders;
            combinations = combinations == null ? Map.of() : combinations;
        }
    }

    record Encoder(String name, List<String> replicas) {
        Encoder {
            replicas = replicas == null ? List.of() : replicas;
        }
    }

    record Adapter(String id, String address) {
    }

    record Combination(List<String> encoders, String adapter) {
        Combination {
            encoders = encoders == null ? List.of() : encoders;
        }
    }

    static PipelineRegistryFile parse(String yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        PipelineRegistryFile f = mapper.readValue(yaml, PipelineRegistryFile.class);
        if (f == null || f.pipelines() == null || f.pipelines().isEmpty()) {
            throw new IOException("no pipelines (expected a top-level 'pipelines' list)");
        }
        return f;
    }
}
