package dev.fovea.manifests;

import java.util.List;
import java.util.function.Function;

/** Every consistency check, by name; each returns the problems it found (none = pass). */
enum Check {
    IMAGES(WorkloadChecks::images),
    PORTS(WorkloadChecks::ports),
    PROBES(WorkloadChecks::probes),
    ENVIRONMENT(WorkloadChecks::environment),
    FILES(WorkloadChecks::files),
    SECURITY(WorkloadChecks::security),
    RESOURCES(WorkloadChecks::resources),
    LLM_HEAP(WorkloadChecks::llmHeap),
    ENCODER_HEAP(WorkloadChecks::encoderHeap),
    SERVICES(ServiceChecks::check),
    SCALING(ScalingChecks::check),
    LLM_AUTOSCALING(ScaleOutChecks::llmAutoscaling),
    ENCODER_AUTOSCALING(ScaleOutChecks::encoderAutoscaling),
    DRAIN(ScaleOutChecks::drain),
    CONNECTION_AGE(ScaleOutChecks::connectionAge),
    API_KEYS(ApiKeyChecks::check),
    KAFKA(m -> KafkaChecks.check(m, JobsSettings.of(AppConfig.of("gateway")))),
    PIPELINES(PipelineChecks::check),
    UNKNOWN_FIELDS(SchemaChecks::unknownFields),
    NAMESPACES(SchemaChecks::namespaces);

    private final Function<Manifests, List<String>> run;

    Check(Function<Manifests, List<String>> run) {
        this.run = run;
    }

    List<String> run(Manifests m) {
        return run.apply(m);
    }
}
