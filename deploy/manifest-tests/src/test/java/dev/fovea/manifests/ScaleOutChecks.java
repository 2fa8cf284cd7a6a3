package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scaling out without losing calls or caches: KEDA scales the LLM on its queue and each encoder on its queue time,
 * both slowly down; stopping pods drain within their grace period; the gRPC backends age their connections so that
 * clients find new pods.
 */
final class ScaleOutChecks {
    /** A scale-down this quick would throw away warm caches on a short lull. */
    static final int MIN_SCALE_DOWN_WINDOW_S = 300;
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private ScaleOutChecks() {
    }

    /** Each LLM Deployment: one ScaledObject, Prometheus on fovea_llm_queued, threshold = its max batch, slow down. */
    static List<String> llmAutoscaling(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Workload w : modules(m, "llm-service")) {
            Optional<GenericKubernetesResource> so = scaledObject(m, w.deployment(), problems);
            if (so.isEmpty()) {
                continue;
            }
            String where = Manifests.id(so.get());
            String query = prometheusQuery(so.get(), "llm-service", w.deployment(), problems);
            if (query != null && !query.contains("fovea_llm_queued")) {
                problems.add(where + ": the query does not read fovea_llm_queued");
            }
            long maxBatch = Long.parseLong(setting(w, "fovea.llm.max-batch"));
            String threshold = Generic.string(so.get(), "spec", "triggers", 0, "metadata", "threshold");
            if (threshold == null || !threshold.equals(Long.toString(maxBatch))) {
                problems.add(where + ": threshold " + threshold + ", but one replica holds fovea.llm.max-batch="
                        + maxBatch + " sequences");
            }
            Integer min = Generic.integer(so.get(), "spec", "minReplicaCount");
            if (min == null || min < 1) {
                problems.add(where + ": minReplicaCount " + min + ": the gateways need an LLM replica at all times");
            }
            slowScaleDown(so.get(), problems);
        }
        return problems;
    }

    /** Each encoder Deployment: one ScaledObject on its own pods' queue time, as a Value metric, slow down. */
    static List<String> encoderAutoscaling(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Workload w : modules(m, "encoder-service")) {
            Optional<GenericKubernetesResource> so = scaledObject(m, w.deployment(), problems);
            if (so.isEmpty()) {
                continue;
            }
            String where = Manifests.id(so.get());
            String query = prometheusQuery(so.get(), "encoder-service", w.deployment(), problems);
            if (query != null && !query.contains("fovea_encoder_queue_time_seconds")) {
                problems.add(where + ": the query does not read fovea_encoder_queue_time_seconds");
            }
            if (!"Value".equals(Generic.string(so.get(), "spec", "triggers", 0, "metricType"))) {
                problems.add(where + ": a mean queue time does not add up over pods: metricType must be Value");
            }
            slowScaleDown(so.get(), problems);
        }
        return problems;
    }

    /**
     * LLM and encoder pods: a preStop pause, a drain timeout (the service's setting, from the environment or its
     * application.properties) and both inside terminationGracePeriodSeconds, else the kubelet kills the drain.
     */
    static List<String> drain(Manifests m) {
        List<String> problems = new ArrayList<>();
        Map<String, String> drainKey = Map.of("llm-service", "fovea.llm.drain-timeout",
                "encoder-service", "fovea.encoder.drain-timeout");
        for (Workload w : Workload.all(m)) {
            String key = drainKey.get(w.module());
            if (key == null) {
                continue;
            }
            long preStop = preStopSeconds(w.container().getLifecycle());
            if (preStop <= 0) {
                problems.add(w.where() + ": no preStop pause: the pod would drain while endpoints still send to it");
            }
            String raw = setting(w, key);
            Duration drain = duration(raw);
            if (drain == null || drain.isZero()) {
                problems.add(w.where() + ": " + key + "=" + raw + " is not a positive duration");
                continue;
            }
            Long grace = w.pod().getTerminationGracePeriodSeconds();
            long graceSeconds = grace == null ? 30 : grace; // Kubernetes' default
            if (preStop + drain.toSeconds() >= graceSeconds) {
                problems.add(w.where() + ": preStop " + preStop + " s + " + key + " " + raw
                        + " do not fit terminationGracePeriodSeconds " + graceSeconds);
            }
        }
        return problems;
    }

    /** Every gRPC backend ages its connections out (positive max age and grace), so clients re-resolve pods. */
    static List<String> connectionAge(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Workload w : Workload.all(m)) {
            if (!ServiceChecks.GRPC_BACKENDS.contains(w.module())) {
                continue;
            }
            for (String key : List.of("fovea.grpc.max-connection-age", "fovea.grpc.max-connection-age-grace")) {
                String raw = setting(w, key);
                Duration d = raw == null ? null : duration(raw);
                if (d == null || d.isZero()) {
                    problems.add(w.where() + ": " + key + " is " + (raw == null ? "not set" : raw)
                            + ": clients would stay on the pods they first found");
                }
            }
        }
        return problems;
    }

    private static List<Workload> modules(Manifests m, String module) {
        return Workload.all(m).stream().filter(w -> module.equals(w.module())).toList();
    }

    private static Optional<GenericKubernetesResource> scaledObject(Manifests m, Deployment d, List<String> problems) {
        List<GenericKubernetesResource> found = m.custom(ScalingChecks.KEDA, "ScaledObject").stream()
                .filter(so -> d.getMetadata().getName().equals(Generic.string(so, "spec", "scaleTargetRef", "name")))
                .toList();
        if (found.size() != 1) {
            problems.add(Manifests.id(d) + ": " + found.size() + " ScaledObjects target it, expected one");
            return Optional.empty();
        }
        return Optional.of(found.getFirst());
    }

    /**
     * The query of the single Prometheus trigger, when its series are ones the module exports and it selects this
     * Deployment's pods (a copied encoder directory that still queries the other encoder scales on the wrong load).
     */
    private static String prometheusQuery(GenericKubernetesResource so, String module, Deployment d,
            List<String> problems) {
        String where = Manifests.id(so);
        List<?> triggers = Generic.list(so, "spec", "triggers");
        if (triggers.size() != 1 || !"prometheus".equals(Generic.string(so, "spec", "triggers", 0, "type"))) {
            problems.add(where + ": expected one trigger of type prometheus");
            return null;
        }
        String query = Generic.string(so, "spec", "triggers", 0, "metadata", "query");
        String server = Generic.string(so, "spec", "triggers", 0, "metadata", "serverAddress");
        if (query == null || server == null) {
            problems.add(where + ": the prometheus trigger needs serverAddress and query");
            return null;
        }
        Set<String> exported = ExportedMetrics.of(module);
        Matcher series = ExportedMetrics.SERIES.matcher(query);
        while (series.find()) {
            if (!exported.contains(series.group())) {
                problems.add(where + ": the query reads " + series.group() + ", which " + module + " does not export");
            }
        }
        Matcher pods = Pattern.compile("pod=~\"([^\"]+)\"").matcher(query);
        boolean any = false;
        while (pods.find()) {
            any = true;
            if (!(d.getMetadata().getName() + "-abc12-xyz34").matches(pods.group(1))
                    || (d.getMetadata().getName() + "x-abc12-xyz34").matches(pods.group(1))) {
                problems.add(where + ": the query selects pods " + pods.group(1) + ", not those of "
                        + Manifests.id(d));
            }
        }
        if (!any) {
            problems.add(where + ": the query does not select the pods of " + Manifests.id(d) + " (pod=~\"...\")");
        }
        return query;
    }

    private static void slowScaleDown(GenericKubernetesResource so, List<String> problems) {
        Integer window = Generic.integer(so, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior",
                "scaleDown", "stabilizationWindowSeconds");
        if (window == null || window < MIN_SCALE_DOWN_WINDOW_S) {
            problems.add(Manifests.id(so) + ": scale-down stabilizationWindowSeconds " + window + ", expected at least "
                    + MIN_SCALE_DOWN_WINDOW_S + " (a new pod starts with empty caches)");
        }
    }

    private static long preStopSeconds(Lifecycle lifecycle) {
        LifecycleHandler h = lifecycle == null ? null : lifecycle.getPreStop();
        if (h == null || h.getSleep() == null || h.getSleep().getSeconds() == null) {
            return 0;
        }
        return h.getSleep().getSeconds();
    }

    /** The container's value of a property: its environment variable, else the module's application.properties. */
    private static String setting(Workload w, String key) {
        String env = w.env().get(AppConfig.envName(key));
        return env != null ? env : CONFIGS.computeIfAbsent(w.module(), AppConfig::of).value(key).orElse(null);
    }

    private static final Map<String, AppConfig> CONFIGS = new java.util.concurrent.ConcurrentHashMap<>();

    /** SmallRye Config's duration forms: a number with ms/s/m/h/d (plain = seconds), or ISO-8601; null if neither. */
    static Duration duration(String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            return Duration.parse(v.trim());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
