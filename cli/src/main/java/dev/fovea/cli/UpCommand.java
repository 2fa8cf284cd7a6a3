package dev.fovea.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts the stack as separate processes on 127.0.0.1 — LLM service, one encoder service per encoder, adapter
 * service, gateway — waits until each is healthy, then prints the URLs and a ready-to-paste request.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the services locally (separate processes) and wait until they are healthy.")
final class UpCommand implements Callable<Integer> {
    static final int GATEWAY_PORT = 8080;
    static final int ADAPTER_PORT = 8082;
    static final int LLM_PORT = 8083;
    static final int FIRST_ENCODER_PORT = 8081;
    static final int WORKER_PORT = 8084;
    static final int KAFKA_PORT = 9092;
    static final int KAFKA_CONTROLLER_PORT = 9093;

    // Heap ceilings (-Xmx) and the budgets that must fit inside them: docs/services.md, "Memory ceilings".
    static final int LLM_KV_BUDGET_MB = 1024;
    static final int LLM_PREFIX_CACHE_MB = 256;
    static final int LLM_HEAP_MB = LLM_KV_BUDGET_MB + LLM_PREFIX_CACHE_MB + 1024;
    static final int ENCODER_CACHE_MB = 256;
    static final int ENCODER_HEAP_MB = 2048;
    static final int ADAPTER_HEAP_MB = 1024;
    static final int GATEWAY_HEAP_MB = 1024;
    static final int WORKER_HEAP_MB = 512;

    @Option(names = "--pipeline", description = "Pipeline file: model id, LLM GGUF, encoders (mmproj), adapter (see README).")
    Path pipeline;

    @Option(names = {"-m", "--model"}, description = "Serve this LLM GGUF (a downloaded file) without a pipeline file: "
            + "the pipeline is derived from the files' metadata.")
    Path model;

    @Option(names = "--mmproj", description = "With -m: the vision encoder + projector GGUF that goes with it.")
    Path mmproj;

    @Option(names = "--name", description = "With -m: the model id clients ask for (default: the LLM's general.name, "
            + "else its file name).")
    String name;

    @Option(names = "--port", defaultValue = "8080", description = "The gateway's port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--demo", description = "Serve the generated random-weight demo model (" + DemoModel.ID + ") instead of "
            + "the trained " + ShapesWorldModel.ID + " model.")
    boolean demo;

    @Option(names = "--vocab", description = "Vocab GGUF for the generated demo model (default: the vocabulary of models/shapesworld/shapesworld-a.gguf).")
    Path vocab;

    @Option(names = "--no-kafka", description = "Leave out the Kafka broker and the job worker (no /v1/jobs).")
    boolean noKafka;

    @Option(names = "--replicas", paramLabel = "KIND=N[,KIND=N...]", description = "Run several processes of a "
            + "service, each with its own port and heap, all listed in the gateway's pipeline: llm=N, encoder=N (every "
            + "encoder), encoder-NAME=N (one encoder); 1 to " + Replicas.MAX + " each. Extra replicas are named llm-2, "
            + "encoder-NAME-2, ... on free ports of 8085-8099. The adapter is not replicated.")
    String replicas;

    @Option(names = "--timeout", defaultValue = "240", description = "Seconds to wait for each service (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Override
    public Integer call() throws Exception {
        Replicas counts = replicas == null ? Replicas.NONE : Replicas.parse(replicas);
        StackFile spec = chosenModel();
        spec.checkFilesExist();
        StackLayout layout = StackLayout.plan(spec, counts, port);
        LocalStack stack = new LocalStack(LocalStack.checkout());
        if (!stack.recorded().isEmpty()) {
            stack.stopAll(Duration.ofSeconds(15)); // a previous stack: replace it
        }
        List<String> missing = new ArrayList<>();
        for (String module : List.of("llm-service", "encoder-service", "adapter-service", "gateway")) {
            if (!Files.isRegularFile(stack.jar(module))) {
                missing.add(module);
            }
        }
        if (!noKafka && !stack.brokerBuilt()) {
            missing.add("kafka-broker");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("services not built: " + missing + " — run `mvn -B -DskipTests package` "
                    + "(or bin/demo) in " + LocalStack.checkout() + " first");
        }
        List<LocalStack.Component> components = new ArrayList<>(layout.services());
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (!noKafka) {
            ports.put(LocalStack.BROKER, KAFKA_PORT);
            ports.put(LocalStack.BROKER + " controller", KAFKA_CONTROLLER_PORT);
        }
        components.forEach(c -> ports.put(c.name(), c.port()));
        ports.put("gateway", port);
        if (!noKafka) {
            ports.put("worker", WORKER_PORT);
        }
        List<String> held = LocalStack.portsInUse(ports);
        if (!held.isEmpty()) {
            System.err.println("fovea: cannot start the stack:\n  " + String.join("\n  ", held)
                    + "\nStop what holds " + (held.size() == 1 ? "it" : "them") + " (another Fovea stack: `bin/fovea down` "
                    + "in its checkout) or free the port" + (held.size() == 1 ? "" : "s") + ", then run `bin/fovea up` again.");
            return 1;
        }
        Files.createDirectories(stack.state());
        Path pipelines = stack.state().resolve("pipelines.yaml");
        Files.writeString(pipelines, layout.pipelinesYaml());
        Map<String, String> gatewayProps = new LinkedHashMap<>();
        gatewayProps.put("fovea.gateway.pipelines", pipelines.toString());
        if (!noKafka) {
            gatewayProps.put("fovea.jobs.enabled", "true");
            gatewayProps.put("fovea.jobs.bootstrap-servers", "127.0.0.1:" + KAFKA_PORT);
        }
        components.add(new LocalStack.Component("gateway", "gateway", port, GATEWAY_HEAP_MB, gatewayProps));
        if (!noKafka) {
            Map<String, String> workerProps = new LinkedHashMap<>(gatewayProps);
            workerProps.put("fovea.jobs.worker.enabled", "true");
            workerProps.put("fovea.jobs.worker.id", "local-worker");
            components.add(new LocalStack.Component("worker", "gateway", WORKER_PORT, WORKER_HEAP_MB, workerProps));
            System.err.printf("starting %-16s on 127.0.0.1:%d ...%n", LocalStack.BROKER, KAFKA_PORT);
            ProcessHandle broker = stack.startBroker(KAFKA_PORT, KAFKA_CONTROLLER_PORT);
            if (!stack.awaitReady(LocalStack.BROKER, broker, KAFKA_PORT, Duration.ofSeconds(timeout))) {
                System.err.println("fovea: the Kafka broker did not start; last log lines:\n"
                        + stack.logTail(LocalStack.BROKER, 30));
                stack.stopAll(Duration.ofSeconds(10));
                return 1;
            }
        }

        for (LocalStack.Component c : components) {
            System.err.printf("starting %-16s on 127.0.0.1:%d ...%n", c.name(), c.port());
            ProcessHandle p = stack.start(c);
            if (!stack.awaitReady(c.name(), p, c.port(), Duration.ofSeconds(timeout))) {
                System.err.println("fovea: " + c.name() + (p.isAlive() ? " did not become healthy" : " exited")
                        + "; last log lines:\n" + stack.logTail(c.name(), 30));
                stack.stopAll(Duration.ofSeconds(10));
                return 1;
            }
        }
        // confirm against the processes started here: each must still be running and answering
        for (var e : stack.recorded().entrySet()) {
            if (!LocalStack.isOurs(e.getValue()[0], e.getKey())
                    || !LocalStack.healthy(e.getKey(), (int) e.getValue()[1])) {
                System.err.println("fovea: " + e.getKey() + " stopped after it started; last log lines:\n"
                        + stack.logTail(e.getKey(), 30));
                stack.stopAll(Duration.ofSeconds(10));
                return 1;
            }
        }
        Path request = stack.state().resolve("sample-request.json");
        ShapesWorldModel.Sample shapes = spec.model().equals(ShapesWorldModel.ID) ? ShapesWorldModel.sample() : null;
        String sample = sampleRequest(spec, shapes);
        Files.writeString(request, sample);
        System.out.println("Fovea is up (logs in " + stack.logs() + "):");
        if (!noKafka) {
            System.out.printf("  %-16s 127.0.0.1:%d  (KRaft broker, data in %s)%n", LocalStack.BROKER, KAFKA_PORT,
                    stack.state().resolve("kafka"));
        }
        for (LocalStack.Component c : components) {
            System.out.printf("  %-16s http://127.0.0.1:%d  (gRPC on the same port, /q/health, /q/metrics)%n",
                    c.name(), c.port());
        }
        System.out.println();
        System.out.println("Try it:");
        System.out.println("  curl -s http://127.0.0.1:" + port + "/v1/models");
        System.out.println("  curl -s http://127.0.0.1:" + port
                + "/v1/chat/completions -H 'Content-Type: application/json' -d @" + request);
        if (shapes != null) {
            Path picture = stack.state().resolve("sample-picture.png");
            ImageIO.write(shapes.picture().image(), "png", picture.toFile());
            System.out.println("    (asks \"" + shapes.question().question() + "\" about " + picture
                    + "; the answer is \"" + shapes.question().answer() + "\")");
        }
        if (!noKafka) {
            Path job = stack.state().resolve("sample-job.json");
            Files.writeString(job, "{\"id\":\"demo-job-1\",\"request\":" + sample + "}");
            System.out.println("  curl -s http://127.0.0.1:" + port
                    + "/v1/jobs -H 'Content-Type: application/json' -d @" + job);
            System.out.println("  curl -s http://127.0.0.1:" + port + "/v1/jobs/demo-job-1");
        }
        System.out.println("Stop it with: bin/fovea down");
        return 0;
    }

    /** What to serve: a pipeline file, model files (-m, --mmproj), or the default model. */
    private StackFile chosenModel() throws Exception {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
        }
        if (model != null) {
            if (pipeline != null || demo) {
                throw new IllegalArgumentException("give either -m (with --mmproj) or " + (demo ? "--demo" : "--pipeline"));
            }
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("-m: no file " + model);
            }
            if (mmproj != null && !Files.isRegularFile(mmproj)) {
                throw new IllegalArgumentException("--mmproj: no file " + mmproj);
            }
            StackFile spec = StackFile.fromModelFiles(model, mmproj, name);
            System.err.println("Serving '" + spec.model() + "' from " + model.getFileName()
                    + (mmproj == null ? "" : " and " + mmproj.getFileName() + " (adapter " + spec.adapter().id()
                    + ", tiling " + spec.tiling() + ")"));
            return spec;
        }
        if (mmproj != null || name != null) {
            throw new IllegalArgumentException((mmproj != null ? "--mmproj" : "--name") + " goes with -m (the LLM GGUF)");
        }
        return pipeline != null ? StackFile.read(pipeline) : defaultModel();
    }

    /** The trained ShapesWorld model when the checkout has it, else the generated random-weight demo pair. */
    private StackFile defaultModel() throws Exception {
        if (ShapesWorldModel.installed() && !demo) {
            System.err.println("No --pipeline given: serving '" + ShapesWorldModel.ID + "', the model trained on "
                    + "ShapesWorld pictures (" + ShapesWorldModel.pipelineFile() + ")");
            return ShapesWorldModel.pipeline();
        }
        StackFile spec = DemoModel.ensure(vocab);
        System.err.println("No --pipeline given: serving the generated demo model '" + DemoModel.ID + "' (random "
                + "weights, so its answers are gibberish; the point is the whole path). Models in "
                + Path.of(spec.llm()).getParent());
        return spec;
    }

    /**
     * A chat request for the stack's model: for ShapesWorld ({@code shapes}) its question about a generated scene
     * (the true answer is printed beside it), otherwise a small generated image when the model has encoders.
     */
    private static String sampleRequest(StackFile spec, ShapesWorldModel.Sample shapes) throws Exception {
        BufferedImage img = null;
        if (shapes != null) {
            img = shapes.picture().image();
        } else if (!spec.encoders().isEmpty()) {
            img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 64; x++) {
                    img.setRGB(x, y, x < 32 ? 0xD03030 : 0x3050D0);
                }
            }
        }
        List<Object> content = new ArrayList<>();
        if (img != null) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            content.add(Map.of("type", "image_url", "image_url",
                    Map.of("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()))));
        }
        content.add(Map.of("type", "text", "text", shapes != null ? shapes.question().question() : "What is in the picture?"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", spec.model());
        body.put("messages", List.of(Map.of("role", "user", "content", content)));
        body.put("max_tokens", 16);
        body.put("temperature", 0);
        return Json.write(body);
    }
}
