package dev.fovea.gateway;

import java.util.List;
import java.util.Map;

/**
 * One served model id and the services behind it.
 *
 * @param model        the id clients name ({@code model} in a request)
 * @param encoders     the vision encoders, in the order the default adapter takes their features (may be empty)
 * @param adapter      the default adapter (all encoders); null for a text-only pipeline
 * @param llm          the LLM service's {@code host:port}
 * @param tiling       how images are cut before encoding
 * @param template     a chat template (Jinja) used instead of the model's own; null to use the model's
 * @param combinations named encoder subsets a request may pick
 */
record PipelineConfig(String model, List<EncoderConfig> encoders, AdapterConfig adapter, String llm, Tiling tiling,
                      String template, Map<String, CombinationConfig> combinations) {
    PipelineConfig {
        encoders = encoders == null ? List.of() : List.copyOf(encoders);
        tiling = tiling == null ? Tiling.NONE : tiling;
        combinations = combinations == null ? Map.of() : Map.copyOf(combinations);
    }
}
