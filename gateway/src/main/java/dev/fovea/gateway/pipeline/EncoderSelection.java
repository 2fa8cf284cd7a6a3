package dev.fovea.gateway.pipeline;

import java.util.List;

/** The encoders a request uses (in adapter input order) and the adapter that fuses them. */
public record EncoderSelection(String name, List<EncoderConfig> encoders, String adapterId) {
}
