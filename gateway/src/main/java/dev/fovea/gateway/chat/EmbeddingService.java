package dev.fovea.gateway.chat;

import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.backend.BackendCalls;
import dev.fovea.gateway.pipeline.EncoderSelection;
import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import dev.fovea.proto.v1.EmbedRequest;
import dev.fovea.proto.v1.EmbedResponse;
import dev.fovea.proto.v1.Embeddings;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.Segment;
import dev.fovea.proto.v1.TokenIds;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/embeddings}: a text's vector is the LLM's final hidden states, mean-pooled and unit length (the LLM
 * service's Embed); an image's is its adapter output (the rows the LLM would read), mean-pooled and unit length, so
 * it lives in the LLM's embedding space.
 */
@ApplicationScoped
public class EmbeddingService {
    private final PipelineRegistry registry;
    private final BackendCalls calls;
    private final ImageLoader images;
    private final ImageEmbedder embedder;

    EmbeddingService(PipelineRegistry registry, BackendCalls calls, ImageLoader images, ImageEmbedder embedder) {
        this.registry = registry;
        this.calls = calls;
        this.images = images;
        this.embedder = embedder;
    }

    /** A vector and the input positions it took. */
    public record Vector(float[] values, int promptTokens) {
    }

    public CompletableFuture<Vector> text(String model, String text, int[] ids) {
        PipelineConfig pipeline = pipeline(model);
        EmbedRequest.Builder req = EmbedRequest.newBuilder();
        if (ids != null) {
            TokenIds.Builder t = TokenIds.newBuilder();
            for (int id : ids) {
                t.addIds(id);
            }
            req.addSegments(Segment.newBuilder().setTokens(t));
        } else {
            req.setText(text);
        }
        return calls.anyLlm(pipeline.llm(), LlmServiceGrpc.getEmbedMethod(), req.build())
                .thenApply(EmbeddingService::vector);
    }

    public CompletableFuture<Vector> image(String model, ImageSource source, int index) {
        PipelineConfig pipeline = pipeline(model);
        if (pipeline.encoders().isEmpty()) {
            throw ApiException.badRequest("model '" + model + "' takes no images", "input", "images_not_supported");
        }
        EncoderSelection selection = PipelineRegistry.select(pipeline, null);
        LoadedImage image = images.load(source, index);
        return embedder.embedWhole(pipeline, selection, image).thenApply(EmbeddingService::pooled);
    }

    private PipelineConfig pipeline(String model) {
        return registry.find(model).orElseThrow(() -> ApiException.unknownModel(model));
    }

    private static Vector vector(EmbedResponse r) {
        float[] v = new float[r.getValuesCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.getValues(i);
        }
        return new Vector(v, r.getPromptTokens());
    }

    private static Vector pooled(Embeddings e) {
        int rows = (int) e.getData().getShape(0);
        int d = (int) e.getData().getShape(1);
        float[] all = WireTensors.decode(e.getData().getData().toByteArray(),
                WireTensors.DType.fromWireName(e.getData().getDtype().name()), (long) rows * d);
        double[] sum = new double[d];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) {
                sum[i] += all[r * d + i];
            }
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            out[i] = norm == 0 ? 0f : (float) (sum[i] / norm);
        }
        return new Vector(out, rows);
    }
}
