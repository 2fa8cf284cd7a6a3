package dev.fovea.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checks can fail: each case breaks one base file the way a careless edit would (a text replacement that must
 * apply) and expects the check that guards it to name the problem.
 */
class BrokenManifestsTest {
    record Breakage(String file, String from, String to, Check check, String expected) {
        @Override
        public String toString() {
            return check + ": " + file + " '" + from.strip() + "' → '" + to.strip() + "'";
        }
    }

    static Stream<Breakage> breakages() {
        String clip = "base/encoders/clip-vit-l-336/";
        String siglip = "base/encoders/siglip-so400m-384/";
        String llm = "base/llm/";
        return Stream.of(
                new Breakage(clip + "deployment.yaml", "containerPort: 8081", "containerPort: 8090", Check.PORTS,
                        "quarkus.http.port=8081"),
                new Breakage(clip + "deployment.yaml", "path: /q/health/ready", "path: /health/ready", Check.PROBES,
                        "expected /q/health/ready"),
                new Breakage(clip + "deployment.yaml", "name: FOVEA_ENCODER_NAME", "name: FOVEA_ENCODER_LABEL",
                        Check.ENVIRONMENT, "sets FOVEA_ENCODER_LABEL, which encoder-service does not read"),
                new Breakage(clip + "deployment.yaml", "- name: FOVEA_ENCODER_MMPROJ\n",
                        "- name: FOVEA_ENCODER_MMPROJ_FILE\n", Check.ENVIRONMENT,
                        "FOVEA_ENCODER_MMPROJ (fovea.encoder.mmproj) is required"),
                new Breakage(clip + "deployment.yaml", " --enable-native-access=ALL-UNNAMED", "", Check.ENVIRONMENT,
                        "the engine's JVM flags"),
                new Breakage(clip + "deployment.yaml", "value: /models/encoders/clip-vit-l-336/mmproj.gguf",
                        "value: /data/clip/mmproj.gguf", Check.FILES, "/data/clip/mmproj.gguf is not on the PVC"),
                new Breakage(clip + "service.yaml", "  clusterIP: None\n", "", Check.SERVICES,
                        "clusterIP must be None"),
                new Breakage(clip + "service.yaml", "selector:\n    app.kubernetes.io/name: encoder-clip-vit-l-336",
                        "selector:\n    app.kubernetes.io/name: encoder-clip", Check.SERVICES,
                        "expected exactly one Deployment"),
                new Breakage(clip + "scaledobject.yaml", "    name: encoder-clip-vit-l-336", "    name: encoder-clip",
                        Check.SCALING, "not a Deployment here"),
                new Breakage(clip + "scaledobject.yaml", "    name: encoder-clip-vit-l-336", "    name: encoder-clip",
                        Check.ENCODER_AUTOSCALING, "0 ScaledObjects target it"),
                new Breakage(siglip + "scaledobject.yaml", "    name: encoder-siglip-so400m-384",
                        "    name: encoder-clip-vit-l-336", Check.SCALING, "is scaled by both"),
                new Breakage(siglip + "scaledobject.yaml", "pod=~\"encoder-siglip-so400m-384-.*\"",
                        "pod=~\"encoder-clip-vit-l-336-.*\"", Check.ENCODER_AUTOSCALING,
                        "selects pods encoder-clip-vit-l-336-.*, not those of Deployment/encoder-siglip-so400m-384"),
                new Breakage(clip + "scaledobject.yaml", "fovea_encoder_queue_time_seconds_sum",
                        "fovea_encoder_queue_seconds_sum", Check.ENCODER_AUTOSCALING,
                        "reads fovea_encoder_queue_seconds_sum, which encoder-service does not export"),
                new Breakage(clip + "scaledobject.yaml", "metricType: Value", "metricType: AverageValue",
                        Check.ENCODER_AUTOSCALING, "metricType must be Value"),
                new Breakage(clip + "scaledobject.yaml", "stabilizationWindowSeconds: 600",
                        "stabilizationWindowSeconds: 30", Check.ENCODER_AUTOSCALING,
                        "scale-down stabilizationWindowSeconds 30"),
                new Breakage(llm + "scaledobject.yaml", "sum(fovea_llm_queued{", "sum(fovea_llm_waiting{",
                        Check.LLM_AUTOSCALING, "does not read fovea_llm_queued"),
                new Breakage(llm + "scaledobject.yaml", "threshold: \"8\"", "threshold: \"4\"",
                        Check.LLM_AUTOSCALING, "threshold 4, but one replica holds fovea.llm.max-batch=8"),
                new Breakage(llm + "scaledobject.yaml", "type: prometheus", "type: cpu", Check.LLM_AUTOSCALING,
                        "expected one trigger of type prometheus"),
                new Breakage(llm + "scaledobject.yaml", "stabilizationWindowSeconds: 900",
                        "stabilizationWindowSeconds: 60", Check.LLM_AUTOSCALING,
                        "scale-down stabilizationWindowSeconds 60"),
                new Breakage(llm + "scaledobject.yaml", "minReplicaCount: 1", "minReplicaCount: 0",
                        Check.LLM_AUTOSCALING, "the gateways need an LLM replica"),
                new Breakage(llm + "scaledobject.yaml", "minReplicaCount: 1", "minReplicaCount: 5", Check.SCALING,
                        "minReplicaCount 5 outside 0..4"),
                new Breakage(llm + "deployment.yaml", "  # no replicas field: the ScaledObject owns the count\n",
                        "  replicas: 2\n", Check.SCALING, "scaled by ScaledObject/llm but sets spec.replicas"),
                new Breakage(llm + "deployment.yaml", "terminationGracePeriodSeconds: 90",
                        "terminationGracePeriodSeconds: 60", Check.DRAIN,
                        "preStop 5 s + fovea.llm.drain-timeout 60s do not fit terminationGracePeriodSeconds 60"),
                new Breakage(clip + "deployment.yaml", "              value: 30s\n", "              value: 45s\n",
                        Check.DRAIN, "fovea.encoder.drain-timeout 45s do not fit terminationGracePeriodSeconds 45"),
                new Breakage(clip + "deployment.yaml", "            preStop:\n", "            postStart:\n",
                        Check.DRAIN, "no preStop pause"),
                new Breakage(llm + "deployment.yaml", "            - name: FOVEA_LLM_DRAIN_TIMEOUT\n",
                        "            - name: FOVEA_GRPC_MAX_CONNECTION_AGE\n              value: \"0\"\n"
                        + "            - name: FOVEA_LLM_DRAIN_TIMEOUT\n", Check.CONNECTION_AGE,
                        "fovea.grpc.max-connection-age is 0"),
                new Breakage(llm + "service.yaml", "  clusterIP: None\n", "", Check.SERVICES,
                        "clusterIP must be None"),
                new Breakage("base/encoders/siglip-so400m-384/pdb.yaml", "maxUnavailable: 1", "minAvailable: 1",
                        Check.SCALING, "blocks every drain"),
                new Breakage("base/gateway/service.yaml", "targetPort: http", "targetPort: grpc", Check.SERVICES,
                        "targets grpc"),
                new Breakage("base/gateway/deployment.yaml", "image: fovea/gateway", "image: fovea/gateway-service",
                        Check.IMAGES, "fovea/gateway-service"),
                new Breakage("base/gateway/kustomization.yaml", "fovea-kafka-kafka-bootstrap:9092",
                        "fovea-kafka-kafka-bootstrap:9093", Check.KAFKA, "KAFKA_BOOTSTRAP_SERVERS is"),
                new Breakage("base/gateway/pipelines.yaml", "adapter.fovea.svc:8082", "adapter.fovea.svc:8084",
                        Check.PIPELINES, "has no port 8084"),
                new Breakage("base/gateway/pipelines.yaml", "encoder-siglip-so400m-384.fovea.svc:8081",
                        "encoder-siglip.fovea.svc:8081", Check.PIPELINES, "names no Service encoder-siglip"),
                new Breakage("base/gateway/pipelines.yaml", "adapter: siglip-mlp", "adapter: siglip-linear",
                        Check.PIPELINES, "adapter id siglip-linear is not configured"),
                new Breakage("base/gateway/pipelines.yaml", "    tiling: none", "    tilling: none", Check.PIPELINES,
                        "does not parse"),
                new Breakage("base/job-worker/deployment.yaml", "- name: FOVEA_JOBS_WORKER",
                        "- name: FOVEA_JOBS_WORKERS", Check.KAFKA, "FOVEA_JOBS_WORKER=true"),
                new Breakage("base/job-worker/deployment.yaml", "            - name: FOVEA_JOBS_WORKER\n",
                        "            - name: FOVEA_JOBS_WORKER_ID\n              value: worker\n"
                        + "            - name: FOVEA_JOBS_WORKER\n", Check.KAFKA, "sets FOVEA_JOBS_WORKER_ID"),
                new Breakage("base/gateway/deployment.yaml", "name: FOVEA_JOBS_ENABLED", "name: FOVEA_JOBS_ENABLE",
                        Check.KAFKA, "FOVEA_JOBS_ENABLED is not true"),
                new Breakage("base/job-worker/scaledobject.yaml", "consumerGroup: fovea-workers",
                        "consumerGroup: fovea-gateway", Check.KAFKA, "consumerGroup is fovea-gateway"),
                new Breakage("base/kafka/topics.yaml", "topicName: fovea.jobs.dead-letter",
                        "topicName: fovea.jobs.dlq", Check.KAFKA, "differ from the gateway's job and batch topics"),
                // batches are keyed state: without compaction a batch's state would age out under it
                new Breakage("base/kafka/topics.yaml",
                        "topicName: fovea.batches\n  partitions: 12\n  replicas: 3\n  config:\n    cleanup.policy: compact",
                        "topicName: fovea.batches\n  partitions: 12\n  replicas: 3\n  config:\n    cleanup.policy: delete",
                        Check.KAFKA, "fovea.batches is keyed state"),
                new Breakage("base/kafka/topics.yaml", "cleanup.policy: compact", "cleanup.policy: delete",
                        Check.KAFKA, "cleanup.policy compact"),
                new Breakage("base/kafka/topics.yaml", "  partitions: 12\n  replicas: 3\n  config:\n    cleanup",
                        "  partitions: 6\n  replicas: 3\n  config:\n    cleanup", Check.KAFKA,
                        "KafkaTopic/fovea-jobs-results has 6 partitions"),
                new Breakage("base/kafka/node-pool.yaml", "replicas: 3", "replicas: 1", Check.KAFKA,
                        "default.replication.factor=3 with 1 broker(s)"),
                new Breakage("base/llm/deployment.yaml", "-XX:MaxRAMPercentage=50", "-XX:MaxRAMPercentage=10",
                        Check.LLM_HEAP, "< KV budget 2048"),
                new Breakage("base/encoders/clip-vit-l-336/deployment.yaml", "-XX:MaxRAMPercentage=75",
                        "-XX:MaxRAMPercentage=25", Check.ENCODER_HEAP, "< feature cache 512 + 3 decodes"),
                new Breakage("base/llm/deployment.yaml", "readinessProbe:", "readinesProbe:", Check.UNKNOWN_FIELDS,
                        "unknown field(s) [readinesProbe]"),
                new Breakage("base/adapter/deployment.yaml", "readOnlyRootFilesystem: true",
                        "readOnlyRootFilesystem: false", Check.SECURITY, "readOnlyRootFilesystem: true"),
                new Breakage("base/adapter/adapter.properties", "fovea.adapter.files.clip-mlp=",
                        "fovea.adapter.files.clip-projector=", Check.PIPELINES, "adapter id clip-mlp is not configured"),
                new Breakage("base/job-worker/deployment.yaml", "automountServiceAccountToken: false",
                        "automountServiceAccountToken: true", Check.SECURITY, "service account token"),
                new Breakage("base/kustomization.yaml", "namespace: fovea", "namespace: default", Check.NAMESPACES,
                        "expected fovea"),
                new Breakage("base/gateway/deployment.yaml", JOBS_ENABLED, "            - name: FOVEA_GATEWAY_API_KEYS\n"
                        + "              value: sk-committed-by-mistake\n" + JOBS_ENABLED, Check.API_KEYS,
                        "FOVEA_GATEWAY_API_KEYS is a literal value"),
                new Breakage("base/gateway/deployment.yaml", JOBS_ENABLED, secretKeys("false", true) + JOBS_ENABLED,
                        Check.API_KEYS, "Deployment/job-worker container worker: serves /v1 without the API keys"),
                new Breakage("base/gateway/deployment.yaml", JOBS_ENABLED, secretKeys("true", true) + JOBS_ENABLED,
                        Check.API_KEYS, "must be optional: false"),
                new Breakage("base/gateway/deployment.yaml", JOBS_ENABLED, secretKeys("false", false) + JOBS_ENABLED,
                        Check.API_KEYS, "without FOVEA_GATEWAY_API_KEYS_REQUIRED=true"));
    }

    private static final String JOBS_ENABLED = "            - name: FOVEA_JOBS_ENABLED\n";

    /** The env entries that take the gateway's keys from the operator's Secret, as the prod overlay does. */
    private static String secretKeys(String optional, boolean required) {
        return """
                            - name: FOVEA_GATEWAY_API_KEYS
                              valueFrom:
                                secretKeyRef: {name: fovea-api-keys, key: api-keys, optional: %s}
                """.formatted(optional) + (required ? """
                            - name: FOVEA_GATEWAY_API_KEYS_REQUIRED
                              value: "true"
                """ : "");
    }

    @ParameterizedTest
    @MethodSource("breakages")
    void checkNamesTheProblem(Breakage b) {
        Manifests broken = BaseTree.load(Repo.k8s().resolve("base"), (file, text) -> {
            if (!file.equals(b.file())) {
                return text;
            }
            assertThat(text).as("the breakage must apply to " + file).contains(b.from());
            return text.replaceFirst(java.util.regex.Pattern.quote(b.from()),
                    java.util.regex.Matcher.quoteReplacement(b.to()));
        });
        assertThat(b.check().run(broken)).as(b.toString()).anySatisfy(p -> assertThat(p).contains(b.expected()));
    }
}
