package dev.fovea.cli;

import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.ImageDecoder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One whole vision-language request in process, as a user waits for it: the image through the mmproj's encoder and
 * projector, the prompt (a LLaVA-1.5-style chat around the image's positions) prefilled, then greedy generation.
 * Reports time to first token (encode + prefill + the first token's logits) and the generation rate, each the mean
 * of the repetitions after a warm-up run.
 */
@Command(name = "vlm", mixinStandardHelpOptions = true,
        description = "Time to first token and generation tokens/s of a whole image request (LLM + mmproj).")
final class BenchVlmCommand implements Callable<Integer> {
    private static final String BEFORE_IMAGE = "A chat between a curious human and an artificial intelligence "
            + "assistant. USER: ";
    private static final String AFTER_IMAGE = "\nDescribe the image in detail. ASSISTANT:";

    @Option(names = {"-m", "--model"}, required = true, description = "LLM GGUF file.")
    Path model;

    @Option(names = "--mmproj", required = true, description = "mmproj GGUF (vision encoder + projector).")
    Path mmproj;

    @Option(names = "--image", description = "Image file (default: a generated 336×336 picture of shapes).")
    Path image;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "32", description = "Generated tokens (default: ${DEFAULT-VALUE}).")
    int nGen;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", description = "Measured runs (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (nGen < 1 || nGen > 4096) {
            throw new IllegalArgumentException("-n/--n-gen must be between 1 and 4096, got " + nGen);
        }
        if (repetitions < 1 || repetitions > 1000) {
            throw new IllegalArgumentException("-r/--repetitions must be between 1 and 1000, got " + repetitions);
        }
        byte[] imageFile = image != null ? Files.readAllBytes(image) : generatedImage();
        Parallel pool = engine.pool();
        try (LanguageModel lm = LanguageModel.open(model, pool, engine.progress());
             VisionModel vm = VisionModel.open(mmproj, pool, ImageDecoder.DEFAULT_MAX_PIXELS)) {
            DecoderModel dec = lm.decoder();
            int[] before = lm.tokenizer().encode(BEFORE_IMAGE, true, false);
            int[] after = lm.tokenizer().encode(AFTER_IMAGE, false, false);
            Run warm = run(dec, vm, imageFile, before, after);
            double encode = 0;
            double prefill = 0;
            double ttft = 0;
            double rate = 0;
            for (int i = 0; i < repetitions; i++) {
                Run r = run(dec, vm, imageFile, before, after);
                encode += r.encodeMs / repetitions;
                prefill += r.prefillMs / repetitions;
                ttft += (r.encodeMs + r.prefillMs) / repetitions;
                rate += r.tokensPerSecond / repetitions;
            }
            int positions = before.length + warm.imagePositions + after.length;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model.getFileName().toString());
            out.put("mmproj", mmproj.getFileName().toString());
            out.put("threads", pool.threads());
            out.put("image_positions", warm.imagePositions);
            out.put("prompt_positions", positions);
            out.put("encode_ms", encode);
            out.put("prefill_ms", prefill);
            out.put("prefill_tokens_per_second", positions / (prefill / 1000));
            out.put("time_to_first_token_ms", ttft);
            out.put("generated", nGen);
            out.put("tokens_per_second", rate);
            if (json) {
                System.out.println(Json.write(out));
            } else {
                System.out.printf("image    %8.1f ms   encode + project (%d positions)%n", encode, warm.imagePositions);
                System.out.printf("prefill  %8.1f ms   %d positions, %.1f tok/s%n", prefill, positions,
                        positions / (prefill / 1000));
                System.out.printf("TTFT     %8.1f ms%n", ttft);
                System.out.printf("tg%-5d %8.2f tok/s  (%s + %s, %d threads)%n", nGen, rate, model.getFileName(),
                        mmproj.getFileName(), pool.threads());
            }
        }
        return 0;
    }

    private record Run(int imagePositions, double encodeMs, double prefillMs, double tokensPerSecond) {
    }

    /** One request: the first token comes from the prefill's logits, the other n − 1 are generated one by one. */
    private Run run(DecoderModel dec, VisionModel vm, byte[] imageFile, int[] before, int[] after) throws Exception {
        long t0 = System.nanoTime();
        Segment.Embeddings img = vm.embed(imageFile);
        long t1 = System.nanoTime();
        KvCache cache = dec.newCache(before.length + img.count() + after.length + nGen + 1);
        float[] logits = dec.forward(cache, List.of(Segment.tokens(before), img, Segment.tokens(after)), false);
        int token = Sampler.argmax(logits);
        long t2 = System.nanoTime();
        for (int i = 1; i < nGen; i++) {
            logits = dec.forward(cache, List.of(Segment.tokens(token)), false);
            token = Sampler.argmax(logits);
        }
        long t3 = System.nanoTime();
        double rate = nGen > 1 ? (nGen - 1) / ((t3 - t2) / 1e9) : 0;
        return new Run(img.count(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, rate);
    }

    /** A 336×336 PNG of a few coloured shapes: a request image that needs no file. */
    private static byte[] generatedImage() throws IOException {
        BufferedImage img = new BufferedImage(336, 336, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(240, 236, 226));
        g.fillRect(0, 0, 336, 336);
        g.setColor(new Color(200, 40, 40));
        g.fillOval(30, 40, 110, 110);
        g.setColor(new Color(40, 90, 200));
        g.fillRect(190, 60, 100, 100);
        g.setColor(new Color(40, 160, 70));
        g.fillPolygon(new int[] {90, 30, 150}, new int[] {200, 300, 300}, 3);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        return png.toByteArray();
    }
}
