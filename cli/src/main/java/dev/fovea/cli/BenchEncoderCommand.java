package dev.fovea.cli;

import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.ClipVisionEncoder;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.RgbImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Milliseconds per image through an mmproj: preprocessing, the vision tower and the projector, each timed. */
@Command(name = "encoder", mixinStandardHelpOptions = true, description = "Milliseconds per image of an mmproj GGUF.")
final class BenchEncoderCommand implements Callable<Integer> {
    @Option(names = "--mmproj", required = true, description = "mmproj GGUF.")
    Path mmproj;

    @Option(names = {"-r", "--runs"}, defaultValue = "3", description = "Measured images after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Parallel pool = engine.pool();
        try (GgufFile f = GgufFile.open(mmproj)) {
            ClipVisionEncoder encoder = ClipVisionEncoder.load(f);
            Projector projector = ProjectorRegistry.load(f);
            // a random photo-sized image: preprocessing then does a real resize
            SplittableRandom rnd = new SplittableRandom(7);
            byte[] rgb = new byte[1024 * 768 * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) rnd.nextInt(256);
            }
            RgbImage img = new RgbImage(1024, 768, rgb);
            double[] pre = new double[runs];
            double[] enc = new double[runs];
            double[] proj = new double[runs];
            for (int r = -1; r < runs; r++) {
                long t0 = System.nanoTime();
                float[] pixels = encoder.preprocessor().apply(img);
                long t1 = System.nanoTime();
                FeatureMap features = encoder.encode(pixels, pool);
                long t2 = System.nanoTime();
                projector.project(List.of(features), pool);
                long t3 = System.nanoTime();
                if (r >= 0) {
                    pre[r] = (t1 - t0) / 1e6;
                    enc[r] = (t2 - t1) / 1e6;
                    proj[r] = (t3 - t2) / 1e6;
                }
            }
            double total = mean(pre) + mean(enc) + mean(proj);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("mmproj", mmproj.getFileName().toString());
                out.put("threads", pool.threads());
                out.put("preprocess_ms", mean(pre));
                out.put("encoder_ms", mean(enc));
                out.put("projector_ms", mean(proj));
                out.put("total_ms", total);
                System.out.println(Json.write(out));
            } else {
                System.out.printf("%s, %d threads: %.1f ms per image (preprocess %.1f, encoder %.1f, projector %.1f)%n",
                        mmproj.getFileName(), pool.threads(), total, mean(pre), mean(enc), mean(proj));
            }
        }
        return 0;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }
}
