package dev.fovea.cli;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.vision.ImageDecoder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "embed-image", mixinStandardHelpOptions = true,
        description = "Run an image through an mmproj's encoder and projector; write the embeddings [n][d] as float32.")
final class EmbedImageCommand implements Callable<Integer> {
    @Option(names = "--mmproj", required = true, description = "mmproj GGUF (vision encoder + projector).")
    Path mmproj;

    @Option(names = "--image", required = true, description = "Image file (PNG, JPEG, GIF, BMP).")
    Path image;

    @Option(names = "--out", description = "Write little-endian float32 [n][d] here.")
    Path out;

    @Option(names = "--json", description = "Print shape and timing as JSON.")
    boolean json;

    @Option(names = "--max-pixels", defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS,
            description = "Refuse larger images (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        try (VisionModel vm = VisionModel.open(mmproj, engine.pool(), maxPixels)) {
            long t0 = System.nanoTime();
            Segment.Embeddings e = vm.embed(ImageFiles.read(image));
            double ms = (System.nanoTime() - t0) / 1e6;
            int d = e.data().length / e.count();
            if (out != null) {
                Float32Files.write(out, e.data(), 0, e.data().length);
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("n_tokens", e.count());
                o.put("n_embd", d);
                o.put("ms", ms);
                if (out != null) {
                    o.put("out", out.toString());
                }
                System.out.println(Json.write(o));
            } else {
                System.out.printf("%d × %d embeddings in %.1f ms%s%n", e.count(), d, ms, out != null ? " → " + out : "");
            }
        }
        return 0;
    }
}
