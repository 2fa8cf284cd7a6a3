package dev.fovea.gateway.pipeline;

import java.util.List;

/** The registry file's top level. */
record PipelinesFile(List<PipelineConfig> pipelines) {
}
