package dev.fovea.gateway.pipeline;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import java.util.List;
import java.util.Map;

/**
 * One served model id and the services behind it.
 *
 * @param model        the id clients name ({@code model} in a request)
 * @param encoders     the vision encoders, in the order the default adapter takes their features (may be empty)
 * @param adapter      the default adapter (all encoders); null for a text-only pipeline
 * @param llm          the LLM service's replicas, {@code host:port} each (a file may give one address as a string); a
 *                     host name is re-resolved regularly and each of its addresses is a replica (a headless Service)
 * @param tiling       how images are cut before encoding
 * @param template     a chat template (Jinja) used instead of the model's own; null to use the model's
 * @param combinations named encoder subsets a request may pick
 * @param anyresLayout {@code anyres_layout}: how AnyRes tiles are assembled, {@code huggingface} (default) or
 *                     {@code llama.cpp} (to compare with llama.cpp's outputs)
 */
public record PipelineConfig(String model, List<EncoderConfig> encoders, AdapterConfig adapter,
                             @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> llm,
                             Tiling tiling, String template, Map<String, CombinationConfig> combinations,
                             @JsonProperty("anyres_layout") String anyresLayout) {
    public PipelineConfig {
        encoders = encoders == null ? List.of() : List.copyOf(encoders);
        llm = llm == null ? List.of() : List.copyOf(llm);
        tiling = tiling == null ? Tiling.NONE : tiling;
        combinations = combinations == null ? Map.of() : Map.copyOf(combinations);
        anyresLayout = anyresLayout == null ? "huggingface" : anyresLayout;
        AnyResLayout.named(anyresLayout); // refuses anything else, naming it
    }

    public AnyResLayout layout() {
        return AnyResLayout.named(anyresLayout);
    }
}
