package dev.fovea.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The service processes of a local stack (LLM, encoders, adapter; every replica its own process, port and heap)
 * and the gateway's pipeline registry that lists them, planned before anything starts. The first replica of each
 * service keeps its fixed port and name ({@code llm} on 8083, {@code encoder-NAME} on 8081 or 809x); further ones
 * are {@code NAME-2}, {@code NAME-3}, … on free ports of 8085–8099.
 */
record StackLayout(List<LocalStack.Component> services, String pipelinesYaml) {
    static final int FIRST_REPLICA_PORT = 8085;
    static final int LAST_REPLICA_PORT = 8099;

    static StackLayout plan(StackFile spec, Replicas replicas, int gatewayPort) {
        Set<String> encoderNames = new HashSet<>();
        spec.encoders().forEach(e -> encoderNames.add(e.name()));
        for (String kind : replicas.counts().keySet()) {
            if (kind.startsWith("encoder-") && !encoderNames.contains(kind.substring("encoder-".length()))) {
                throw new IllegalArgumentException("--replicas: the pipeline has no encoder '"
                        + kind.substring("encoder-".length()) + "' (" + (encoderNames.isEmpty() ? "it has no encoders"
                        : "its encoders: " + String.join(", ", spec.encoders().stream().map(StackFile.Encoder::name)
                        .toList())) + ")");
            }
        }
        if (replicas.counts().containsKey("encoder") && encoderNames.isEmpty()) {
            throw new IllegalArgumentException("--replicas: encoder=" + replicas.counts().get("encoder")
                    + ", but pipeline '" + spec.model() + "' has no encoders");
        }
        // the fixed ports first, so that the extra replicas' ports avoid them
        Set<Integer> taken = new HashSet<>(List.of(gatewayPort, UpCommand.WORKER_PORT, UpCommand.LLM_PORT));
        for (int i = 0; i < spec.encoders().size(); i++) {
            taken.add(firstEncoderPort(i));
        }
        if (spec.adapter() != null) {
            taken.add(UpCommand.ADAPTER_PORT);
        }
        PortPool pool = new PortPool(taken);

        List<LocalStack.Component> services = new ArrayList<>();
        List<Integer> llmPorts = new ArrayList<>();
        for (int r = 1; r <= replicas.llm(); r++) {
            int port = r == 1 ? UpCommand.LLM_PORT : pool.next("llm-" + r);
            llmPorts.add(port);
            services.add(new LocalStack.Component(replicaName("llm", r), "llm-service", port, UpCommand.LLM_HEAP_MB,
                    Map.of("fovea.llm.model", spec.llm(),
                            "fovea.llm.kv-budget-mb", Integer.toString(UpCommand.LLM_KV_BUDGET_MB),
                            "fovea.llm.prefix-cache-mb", Integer.toString(UpCommand.LLM_PREFIX_CACHE_MB))));
        }
        Map<String, List<Integer>> encoderPorts = new LinkedHashMap<>();
        for (int i = 0; i < spec.encoders().size(); i++) {
            StackFile.Encoder e = spec.encoders().get(i);
            List<Integer> ports = new ArrayList<>();
            for (int r = 1; r <= replicas.encoder(e.name()); r++) {
                String name = replicaName("encoder-" + e.name(), r);
                int port = r == 1 ? firstEncoderPort(i) : pool.next(name);
                ports.add(port);
                services.add(new LocalStack.Component(name, "encoder-service", port, UpCommand.ENCODER_HEAP_MB,
                        Map.of("fovea.encoder.mmproj", e.mmproj(), "fovea.encoder.name", e.name(),
                                "fovea.encoder.cache-mb", Integer.toString(UpCommand.ENCODER_CACHE_MB))));
            }
            encoderPorts.put(e.name(), ports);
        }
        if (spec.adapter() != null) {
            services.add(new LocalStack.Component("adapter", "adapter-service", UpCommand.ADAPTER_PORT,
                    UpCommand.ADAPTER_HEAP_MB, Map.of("fovea.adapter.files." + spec.adapter().id(),
                    spec.adapter().file())));
        }
        Set<String> names = new HashSet<>(List.of("gateway", "worker", LocalStack.BROKER));
        for (LocalStack.Component c : services) {
            if (!names.add(c.name())) { // an encoder named "x-2" beside encoder x's second replica
                throw new IllegalArgumentException("two processes would be called '" + c.name() + "': rename the "
                        + "encoder in the pipeline file");
            }
            if (c.port() == gatewayPort) {
                throw new IllegalArgumentException("--port " + gatewayPort + " is the port of " + c.name()
                        + "; pick another gateway port");
            }
        }
        return new StackLayout(List.copyOf(services), yaml(spec, llmPorts, encoderPorts));
    }

    /** The first replica's port of the i-th encoder: 8081, then 8091, 8092, … (as before replicas existed). */
    static int firstEncoderPort(int i) {
        return i == 0 ? UpCommand.FIRST_ENCODER_PORT : 8090 + i;
    }

    static String replicaName(String base, int replica) {
        return replica == 1 ? base : base + "-" + replica;
    }

    /** The gateway's registry: {@code llm} one address or, with several replicas, a list of them. */
    private static String yaml(StackFile spec, List<Integer> llmPorts, Map<String, List<Integer>> encoderPorts) {
        StringBuilder y = new StringBuilder("pipelines:\n  - model: ").append(Json.write(spec.model()))
                .append("\n    llm: ").append(llmPorts.size() == 1 ? address(llmPorts.get(0)) : addresses(llmPorts))
                .append('\n');
        if (spec.template() != null) {
            y.append("    template: ").append(Json.write(spec.template())).append('\n');
        }
        if (spec.anyresLayout() != null) {
            y.append("    anyres_layout: ").append(Json.write(spec.anyresLayout())).append('\n');
        }
        if (!spec.encoders().isEmpty()) {
            y.append("    tiling: ").append(spec.tiling()).append("\n    encoders:\n");
            encoderPorts.forEach((name, ports) -> y.append("      - name: ").append(name)
                    .append("\n        replicas: ").append(addresses(ports)).append('\n'));
            y.append("    adapter: {id: ").append(spec.adapter().id()).append(", address: ")
                    .append(address(UpCommand.ADAPTER_PORT)).append("}\n");
        }
        return y.toString();
    }

    private static String address(int port) {
        return "\"127.0.0.1:" + port + "\"";
    }

    private static String addresses(List<Integer> ports) {
        return "[" + String.join(", ", ports.stream().map(StackLayout::address).toList()) + "]";
    }

    /** Hands out the free ports of 8085–8099 in order. */
    private static final class PortPool {
        private final Set<Integer> taken;
        private int next = FIRST_REPLICA_PORT;

        PortPool(Set<Integer> taken) {
            this.taken = taken;
        }

        int next(String forName) {
            while (next <= LAST_REPLICA_PORT && taken.contains(next)) {
                next++;
            }
            if (next > LAST_REPLICA_PORT) {
                throw new IllegalArgumentException("--replicas: no port left in " + FIRST_REPLICA_PORT + "–"
                        + LAST_REPLICA_PORT + " for " + forName + "; ask for fewer replicas");
            }
            taken.add(next);
            return next++;
        }
    }
}
