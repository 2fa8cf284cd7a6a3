package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Each container against the application.properties (and config classes) of the module its image is built from. */
final class WorkloadChecks {
    /** The smallrye-health endpoints every service has (quarkus-smallrye-health, default root /q/health). */
    static final String STARTED = "/q/health/started";
    static final String READY = "/q/health/ready";
    static final String LIVE = "/q/health/live";
    static final String MODELS_CLAIM = "fovea-models";
    static final String MODELS_DIR = "/models";
    /** Read by the java launcher and the JVM respectively, not by the application. */
    static final Set<String> JVM_ENV = Set.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");
    /** Quarkus' own runtime setting for extra config files (quarkus.config.locations, phase RUN_TIME). */
    static final String CONFIG_LOCATIONS = "QUARKUS_CONFIG_LOCATIONS";
    private static final Pattern REQUIRED_ENV = Pattern.compile("\\$\\{([A-Z0-9_]+):}");
    private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

    private WorkloadChecks() {
    }

    static List<String> images(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Workload w : Workload.all(m)) {
            if (w.module() == null || !AppConfig.exists(w.module())) {
                problems.add(w.where() + ": image '" + w.container().getImage()
                        + "' is not fovea/<module> of a service module of this repository");
            }
        }
        return problems;
    }

    /** One port, the module's quarkus.http.port: gRPC shares it, so a second port would serve nothing. */
    static List<String> ports(Manifests m) {
        return each(m, (w, app) -> {
            List<String> problems = new ArrayList<>();
            List<ContainerPort> ports = Workload.list(w.container().getPorts());
            if (ports.size() != 1 || ports.getFirst().getContainerPort() != app.httpPort()) {
                problems.add(w.where() + ": container ports " + ports.stream().map(ContainerPort::getContainerPort)
                        .toList() + ", but " + w.module() + " listens on quarkus.http.port=" + app.httpPort() + " only");
            }
            return problems;
        });
    }

    static List<String> probes(Manifests m) {
        return each(m, (w, app) -> {
            List<String> problems = new ArrayList<>();
            Container c = w.container();
            probe(problems, w, app, "startupProbe", c.getStartupProbe(), STARTED);
            probe(problems, w, app, "readinessProbe", c.getReadinessProbe(), READY);
            probe(problems, w, app, "livenessProbe", c.getLivenessProbe(), LIVE);
            return problems;
        });
    }

    private static void probe(List<String> problems, Workload w, AppConfig app, String what, Probe p, String path) {
        if (p == null || p.getHttpGet() == null) {
            problems.add(w.where() + ": no HTTP " + what);
            return;
        }
        if (!path.equals(p.getHttpGet().getPath())) {
            problems.add(w.where() + ": " + what + " path " + p.getHttpGet().getPath() + ", expected " + path);
        }
        Optional<ContainerPort> port = containerPort(w.container(), p.getHttpGet().getPort());
        if (port.isEmpty()) {
            problems.add(w.where() + ": " + what + " port " + show(p.getHttpGet().getPort())
                    + " is not a declared container port");
        } else if (port.get().getContainerPort() != app.httpPort()) {
            problems.add(w.where() + ": " + what + " on port " + port.get().getContainerPort()
                    + ", but health is served on " + app.httpPort());
        }
    }

    /** Every variable set is one the service reads; the ones without a usable default are set. */
    static List<String> environment(Manifests m) {
        return each(m, (w, app) -> {
            List<String> problems = new ArrayList<>();
            w.missingEnvFrom().forEach(x -> problems.add(w.where() + ": envFrom names a missing " + x));
            Set<String> readable = new TreeSet<>(app.readableEnv());
            readable.addAll(JVM_ENV);
            readable.add(CONFIG_LOCATIONS);
            if (w.module().equals("gateway")) {
                readable.addAll(JobsSettings.ENV);
            }
            Map<String, String> env = w.env();
            for (String name : env.keySet()) {
                if (!readable.contains(name)) {
                    problems.add(w.where() + ": sets " + name + ", which " + w.module() + " does not read");
                }
            }
            // ${ENV:} with an empty default, unless the config class takes it as Optional: needed to start
            for (String key : app.properties().stringPropertyNames()) {
                String raw = app.properties().getProperty(key);
                Matcher ref = REQUIRED_ENV.matcher(raw);
                if (!key.startsWith("%") && ref.matches() && !app.optional(key)) {
                    String v = env.get(ref.group(1));
                    if (v == null || v.isBlank()) {
                        problems.add(w.where() + ": " + ref.group(1) + " (" + key + ") is required and not set");
                    }
                }
            }
            String flags = rootJvmFlags();
            if (JVM_ENV.stream().map(env::get).noneMatch(v -> v != null && v.contains(flags))) {
                problems.add(w.where() + ": neither " + JVM_ENV + " carries the engine's JVM flags '" + flags + "'");
            }
            return problems;
        });
    }

    /**
     * Model paths (any *.gguf in the environment or in the adapter's config file) lie on the read-only models claim;
     * config locations lie in a mounted ConfigMap; the adapter service gets at least one adapter file that way.
     */
    static List<String> files(Manifests m) {
        return each(m, (w, app) -> {
            List<String> problems = new ArrayList<>();
            Map<String, String> env = w.env();
            List<String> models = new ArrayList<>();
            env.values().stream().filter(v -> v != null && v.endsWith(".gguf")).forEach(models::add);
            Properties extra = new Properties();
            String locations = env.get(CONFIG_LOCATIONS);
            if (locations != null) {
                for (String loc : locations.split(",")) {
                    Optional<String> text = w.configFile(loc.trim().replaceFirst("^file:", ""));
                    if (text.isEmpty()) {
                        problems.add(w.where() + ": config location " + loc + " is not a key of a mounted ConfigMap");
                        continue;
                    }
                    try {
                        extra.load(new StringReader(text.get()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            if (w.module().equals("adapter-service")) {
                List<String> adapters = extra.stringPropertyNames().stream()
                        .filter(k -> k.startsWith("fovea.adapter.files.")).toList();
                if (adapters.isEmpty()) {
                    problems.add(w.where() + ": the adapter service gets no fovea.adapter.files.<id>");
                }
                adapters.forEach(k -> models.add(extra.getProperty(k)));
            }
            for (String path : models) {
                Optional<Map.Entry<VolumeMount, Volume>> vol = w.volumeFor(path);
                boolean ok = vol.isPresent() && MODELS_DIR.equals(vol.get().getKey().getMountPath())
                        && Boolean.TRUE.equals(vol.get().getKey().getReadOnly())
                        && vol.get().getValue().getPersistentVolumeClaim() != null
                        && MODELS_CLAIM.equals(vol.get().getValue().getPersistentVolumeClaim().getClaimName());
                if (!ok) {
                    problems.add(w.where() + ": model file " + path + " is not on the PVC " + MODELS_CLAIM
                            + " mounted read-only at " + MODELS_DIR);
                }
            }
            return problems;
        });
    }

    /** Non-root, no API token, no privilege escalation, read-only root with a writable /tmp, no capabilities. */
    static List<String> security(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Workload w : Workload.all(m)) {
            var pod = w.pod().getSecurityContext();
            if (pod == null || !Boolean.TRUE.equals(pod.getRunAsNonRoot())) {
                problems.add(w.where() + ": the pod does not set runAsNonRoot: true");
            }
            if (!Boolean.FALSE.equals(w.pod().getAutomountServiceAccountToken())) {
                problems.add(w.where() + ": mounts a service account token it never uses");
            }
            SecurityContext sc = w.container().getSecurityContext();
            if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())
                    || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()) || sc.getCapabilities() == null
                    || !Workload.list(sc.getCapabilities().getDrop()).contains("ALL")) {
                problems.add(w.where() + ": needs allowPrivilegeEscalation: false, readOnlyRootFilesystem: true"
                        + " and capabilities.drop [ALL]");
            }
            Optional<Map.Entry<VolumeMount, Volume>> tmp = w.volumeFor("/tmp/x");
            if (tmp.isEmpty() || !"/tmp".equals(tmp.get().getKey().getMountPath())
                    || tmp.get().getValue().getEmptyDir() == null) {
                problems.add(w.where() + ": a read-only root needs an emptyDir at /tmp (java.io.tmpdir)");
            }
        }
        return problems;
    }

    /** CPU and memory requested and limited, requests within limits. */
    static List<String> resources(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Workload w : Workload.all(m)) {
            ResourceRequirements r = w.container().getResources();
            for (String res : List.of("cpu", "memory")) {
                Quantity req = r == null || r.getRequests() == null ? null : r.getRequests().get(res);
                Quantity lim = r == null || r.getLimits() == null ? null : r.getLimits().get(res);
                if (req == null || lim == null) {
                    problems.add(w.where() + ": " + res + " needs a request and a limit");
                } else if (Quantity.getAmountInBytes(req).compareTo(Quantity.getAmountInBytes(lim)) > 0) {
                    problems.add(w.where() + ": " + res + " request " + req + " above its limit " + lim);
                }
            }
        }
        return problems;
    }

    /** The LLM's KV budget and prefix cache are Java arrays: the heap (a share of the memory limit) must hold them. */
    static List<String> llmHeap(Manifests m) {
        return each(m, (w, app) -> {
            if (!w.module().equals("llm-service")) {
                return List.of();
            }
            Map<String, String> env = w.env();
            long kv = setting(env, app, "fovea.llm.kv-budget-mb");
            long prefix = setting(env, app, "fovea.llm.prefix-cache-mb");
            return heapShortfall(w, kv + prefix + 512, // the rest of the heap: activations, logits, gRPC buffers
                    "KV budget " + kv + " + prefix cache " + prefix + " + 512 MiB");
        });
    }

    /**
     * The encoder's heap holds its feature cache and the images being decoded: decode-workers + max-stuck-decodes
     * images at once, about 10 bytes a pixel each (the decoded file, its RGB copy and the preprocessing input).
     */
    static List<String> encoderHeap(Manifests m) {
        return each(m, (w, app) -> {
            if (!w.module().equals("encoder-service")) {
                return List.of();
            }
            Map<String, String> env = w.env();
            long cache = setting(env, app, "fovea.encoder.cache-mb");
            long decodes = setting(env, app, "fovea.encoder.decode-workers")
                    + setting(env, app, "fovea.encoder.max-stuck-decodes");
            long decodeMb = decodes * setting(env, app, "fovea.encoder.max-pixels") * 10 / (1 << 20);
            return heapShortfall(w, cache + decodeMb + 512, "feature cache " + cache + " + " + decodes
                    + " decodes of max-pixels (" + decodeMb + " MiB) + 512 MiB");
        });
    }

    /** A problem when the workload's heap (its MaxRAMPercentage of the memory limit) is below {@code neededMb}. */
    private static List<String> heapShortfall(Workload w, long neededMb, String what) {
        var limits = w.container().getResources() == null ? null : w.container().getResources().getLimits();
        if (limits == null || limits.get("memory") == null) {
            return List.of(); // resources() reports it
        }
        double percent = 25; // the JVM's default MaxRAMPercentage
        for (String var : JVM_ENV) {
            Matcher mr = MAX_RAM.matcher(w.env().getOrDefault(var, ""));
            if (mr.find()) {
                percent = Double.parseDouble(mr.group(1));
            }
        }
        BigDecimal heapMb = Quantity.getAmountInBytes(limits.get("memory"))
                .multiply(BigDecimal.valueOf(percent / 100)).divide(BigDecimal.valueOf(1 << 20));
        if (heapMb.compareTo(BigDecimal.valueOf(neededMb)) < 0) {
            return List.of(w.where() + ": heap " + heapMb.longValue() + " MiB (" + percent + "% of "
                    + limits.get("memory") + ") < " + what);
        }
        return List.of();
    }

    private static long setting(Map<String, String> env, AppConfig app, String key) {
        String v = env.get(AppConfig.envName(key));
        return Long.parseLong(v != null ? v : app.value(key).orElseThrow(
                () -> new IllegalStateException(app.module() + " has no " + key)));
    }

    /** The JVM flags the root pom gives every java invocation (fovea.jvm.flags). */
    static String rootJvmFlags() {
        try {
            Matcher mf = Pattern.compile("<fovea.jvm.flags>([^<]+)</fovea.jvm.flags>")
                    .matcher(Files.readString(Repo.root().resolve("pom.xml")));
            if (!mf.find()) {
                throw new IllegalStateException("the root pom.xml defines no fovea.jvm.flags");
            }
            return mf.group(1).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<ContainerPort> containerPort(Container c, IntOrString ref) {
        if (ref == null) {
            return Optional.empty();
        }
        return Workload.list(c.getPorts()).stream().filter(p -> ref.getStrVal() != null
                ? ref.getStrVal().equals(p.getName())
                : ref.getIntVal() != null && ref.getIntVal().equals(p.getContainerPort())).findFirst();
    }

    static String show(IntOrString v) {
        return v == null ? "(none)" : v.getStrVal() != null ? v.getStrVal() : String.valueOf(v.getIntVal());
    }

    /** Runs {@code check} on every container of a Fovea image (images() reports the others). */
    private static List<String> each(Manifests m, BiFunction<Workload, AppConfig, List<String>> check) {
        List<String> problems = new ArrayList<>();
        Map<String, AppConfig> cache = new HashMap<>();
        for (Workload w : Workload.all(m)) {
            if (w.module() != null && AppConfig.exists(w.module())) {
                problems.addAll(check.apply(w, cache.computeIfAbsent(w.module(), AppConfig::of)));
            }
        }
        return problems;
    }
}
