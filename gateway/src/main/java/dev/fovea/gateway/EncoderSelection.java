package dev.fovea.gateway;

import java.util.List;

/** The encoders a request uses (in adapter input order) and the adapter that fuses them. */
record EncoderSelection(String name, List<EncoderConfig> encoders, String adapterId) {
}
