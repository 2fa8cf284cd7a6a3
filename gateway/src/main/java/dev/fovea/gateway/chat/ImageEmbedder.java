package dev.fovea.gateway.chat;

import com.google.protobuf.ByteString;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.engine.vision.tiling.AnyResTiling;
import dev.fovea.engine.vision.tiling.MiniCpmvSlicing;
import dev.fovea.engine.vision.tiling.Resolution;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.backend.BackendCalls;
import dev.fovea.gateway.backend.ReplicaRouter;
import dev.fovea.gateway.pipeline.EncoderConfig;
import dev.fovea.gateway.pipeline.EncoderSelection;
import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.Tiling;
import dev.fovea.proto.v1.AdapterServiceGrpc;
import dev.fovea.proto.v1.AnyResImage;
import dev.fovea.proto.v1.AnyResView;
import dev.fovea.proto.v1.DescribeEncoderRequest;
import dev.fovea.proto.v1.Crop;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.EncodeRequest;
import dev.fovea.proto.v1.EncodeResponse;
import dev.fovea.proto.v1.EncoderServiceGrpc;
import dev.fovea.proto.v1.Embeddings;
import dev.fovea.proto.v1.Features;
import dev.fovea.proto.v1.ImageInput;
import dev.fovea.proto.v1.MiniCpmvSlice;
import dev.fovea.proto.v1.ProjectRequest;
import dev.fovea.proto.v1.ProjectResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One image to LLM embeddings: every view × chosen encoder is an {@code Encode} call to the replica of that
 * encoder the view's key picks ({@link ReplicaRouter#encoder}), all in flight at once; each view's features (in the selection's encoder order) go to one
 * {@code Project}; the views' embeddings are concatenated in view order. A MiniCPM-V image instead keeps its inputs
 * apart ({@link #place}): the prompt puts wrapper text between them.
 */
@ApplicationScoped
class ImageEmbedder {
    private final BackendCalls calls;
    private final ReplicaRouter router;
    /** Encoder name → its AnyRes plan, asked once. */
    private final Map<String, AnyResTiling> anyResPlans = new ConcurrentHashMap<>();
    /** Encoder name → whether it slices images MiniCPM-V's way, asked once. */
    private final Map<String, Boolean> slicing = new ConcurrentHashMap<>();

    ImageEmbedder(BackendCalls calls, ReplicaRouter router) {
        this.calls = calls;
        this.router = router;
    }

    /**
     * An image's place in the prompt: for a MiniCPM-V encoder (its Describe says {@code slices_images}) the source
     * view and each slice are an Encode → Project of their own, placed by llama.cpp's layout; otherwise
     * {@link #embed}'s rows as one block. Completes once the encoder's kind is known (at once after its first Describe);
     * the embeddings are still in flight then.
     */
    CompletableFuture<PlacedImage> place(PipelineConfig pipeline, EncoderSelection selection, LoadedImage image) {
        return slices(pipeline, selection).thenApply(sliced -> sliced ? placeSliced(pipeline, selection, image)
                : PlacedImage.whole(embed(pipeline, selection, image)));
    }

    private PlacedImage placeSliced(PipelineConfig pipeline, EncoderSelection selection, LoadedImage image) {
        EncoderConfig encoder = selection.encoders().getFirst();
        MiniCpmvSlicing.Plan plan = MiniCpmvSlicing.LLAMA_CPP.plan(image.width(), image.height());
        ByteString bytes = ByteString.copyFrom(image.bytes());
        List<CompletableFuture<Embeddings>> inputs = new ArrayList<>(plan.inputCount());
        for (int i = 0; i < plan.inputCount(); i++) {
            int index = i;
            ImageInput input = ImageInput.newBuilder().setEncoded(bytes)
                    .setMinicpmvSlice(MiniCpmvSlice.newBuilder().setIndex(index)).build();
            inputs.add(calls.unary("encoder:" + encoder.name(),
                    router.encoder(encoder.replicas(), viewKey(image, encoder, "minicpmv-" + index)),
                    EncoderServiceGrpc.getEncodeMethod(),
                    EncodeRequest.newBuilder().addImages(input).setFeatureDtype(DType.F16).build())
                    .thenApply(r -> single(r, encoder.name()))
                    .thenCompose(f -> calls.unary("adapter", pipeline.adapter().address(),
                            AdapterServiceGrpc.getProjectMethod(), ProjectRequest.newBuilder()
                                    .setAdapter(selection.adapterId()).setEmbeddingDtype(DType.F16).addInputs(f).build()))
                    .thenApply(r -> Embeddings.newBuilder().setData(r.getEmbeddings())
                            .setContentHash(contentHash(pipeline, selection, image) + "/minicpmv-" + index).build()));
        }
        return new PlacedImage(plan.llamaCppLayout(), inputs);
    }

    /**
     * Whether the selection's encoder slices images (MiniCPM-V), from its Describe (asked once per encoder). Such an
     * encoder must be the selection's only one, with no other tiling: its slicing is the model's own.
     */
    private CompletableFuture<Boolean> slices(PipelineConfig pipeline, EncoderSelection selection) {
        List<CompletableFuture<Boolean>> each = new ArrayList<>();
        for (EncoderConfig encoder : selection.encoders()) {
            Boolean known = slicing.get(encoder.name());
            each.add(known != null ? CompletableFuture.completedFuture(known)
                    : calls.unary("encoder:" + encoder.name(), router.encoder(encoder.replicas(), encoder.name()),
                            EncoderServiceGrpc.getDescribeMethod(), DescribeEncoderRequest.getDefaultInstance())
                    .thenApply(info -> {
                        slicing.put(encoder.name(), info.getSlicesImages());
                        return info.getSlicesImages();
                    }));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
            boolean any = each.stream().anyMatch(CompletableFuture::join);
            if (any && (selection.encoders().size() != 1 || pipeline.tiling() != Tiling.NONE)) {
                throw ApiException.backendError("pipeline " + pipeline.model() + " pairs a MiniCPM-V encoder (which "
                        + "slices images itself) with other encoders or with " + pipeline.tiling() + " tiling");
            }
            return any;
        });
    }

    /** The image's rows as one block: a MiniCPM-V image's inputs concatenated in plan order (for /v1/embeddings). */
    CompletableFuture<Embeddings> embedWhole(PipelineConfig pipeline, EncoderSelection selection, LoadedImage image) {
        return place(pipeline, selection, image).thenCompose(placed -> {
            if (placed.inputs().size() == 1) {
                return placed.inputs().getFirst();
            }
            return CompletableFuture.allOf(placed.inputs().toArray(CompletableFuture[]::new)).thenApply(v ->
                    Embeddings.newBuilder().setData(EmbeddingRows.concat(placed.inputs().stream()
                                    .map(f -> f.join().getData()).toList()))
                            .setContentHash(contentHash(pipeline, selection, image)).build());
        });
    }

    CompletableFuture<Embeddings> embed(PipelineConfig pipeline, EncoderSelection selection, LoadedImage image) {
        if (pipeline.tiling() == Tiling.ANYRES) {
            return embedAnyRes(pipeline, selection, image);
        }
        ByteString bytes = ByteString.copyFrom(image.bytes());
        List<CompletableFuture<ProjectResponse>> views = new ArrayList<>();
        for (Crop crop : TilePlanner.views(pipeline.tiling(), image.width(), image.height())) {
            List<CompletableFuture<Features>> features = new ArrayList<>();
            for (EncoderConfig encoder : selection.encoders()) {
                ImageInput.Builder input = ImageInput.newBuilder().setEncoded(bytes);
                if (crop != null) {
                    input.setCrop(crop);
                }
                features.add(calls.unary("encoder:" + encoder.name(),
                        router.encoder(encoder.replicas(), viewKey(image, encoder, crop == null ? "full"
                                : crop.getX() + "," + crop.getY() + "," + crop.getWidth() + "x" + crop.getHeight())),
                        EncoderServiceGrpc.getEncodeMethod(),
                        EncodeRequest.newBuilder().addImages(input).setFeatureDtype(DType.F16).build())
                        .thenApply(r -> single(r, encoder.name())));
            }
            views.add(CompletableFuture.allOf(features.toArray(CompletableFuture[]::new)).thenCompose(v -> {
                ProjectRequest.Builder project = ProjectRequest.newBuilder().setAdapter(selection.adapterId())
                        .setEmbeddingDtype(DType.F16);
                features.forEach(f -> project.addInputs(f.join()));
                return calls.unary("adapter", pipeline.adapter().address(), AdapterServiceGrpc.getProjectMethod(),
                        project.build());
            }));
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<ProjectResponse> projected = views.stream().map(CompletableFuture::join).toList();
            Embeddings.Builder out = Embeddings.newBuilder()
                    .setData(EmbeddingRows.concat(projected.stream().map(ProjectResponse::getEmbeddings).toList()))
                    .setContentHash(contentHash(pipeline, selection, image));
            if (projected.size() == 1) {
                // an image whose grid positions it in the LLM (Qwen2-VL): the grid goes along
                out.setGridHeight(projected.getFirst().getGridHeight()).setGridWidth(projected.getFirst().getGridWidth());
            }
            return out.build();
        });
    }

    /**
     * LLaVA-1.6: the encoder's AnyRes plan (pinpoints from its Describe, cached) gives the views; each view is its
     * own Encode call (views spread over the replicas), and one Project assembles them (unpadding, row newlines).
     */
    private CompletableFuture<Embeddings> embedAnyRes(PipelineConfig pipeline, EncoderSelection selection,
                                                      LoadedImage image) {
        EncoderConfig encoder = selection.encoders().getFirst();
        ByteString bytes = ByteString.copyFrom(image.bytes());
        return anyResPlan(encoder).thenCompose(tiling -> {
            int count = tiling.plan(image.width(), image.height()).inputCount();
            List<CompletableFuture<Features>> views = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ImageInput input = ImageInput.newBuilder().setEncoded(bytes)
                        .setAnyres(AnyResView.newBuilder().setIndex(i)).build();
                views.add(calls.unary("encoder:" + encoder.name(),
                        router.encoder(encoder.replicas(), viewKey(image, encoder, "anyres-" + i)),
                        EncoderServiceGrpc.getEncodeMethod(),
                        EncodeRequest.newBuilder().addImages(input).setFeatureDtype(DType.F16).build())
                        .thenApply(r -> single(r, encoder.name())));
            }
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenCompose(v -> {
                ProjectRequest.Builder project = ProjectRequest.newBuilder().setAdapter(selection.adapterId())
                        .setEmbeddingDtype(DType.F16)
                        .setAnyres(AnyResImage.newBuilder().setWidth(image.width()).setHeight(image.height())
                                .setLlamaCppLayout(pipeline.layout() == AnyResLayout.LLAMA_CPP));
                views.forEach(f -> project.addInputs(f.join()));
                return calls.unary("adapter", pipeline.adapter().address(), AdapterServiceGrpc.getProjectMethod(),
                        project.build());
            });
        }).thenApply(r -> Embeddings.newBuilder().setData(r.getEmbeddings())
                .setContentHash(contentHash(pipeline, selection, image)).build());
    }

    /**
     * An encoder call's routing key: the image, the encoder and the view (whole image, crop or AnyRes tile), what
     * the encoder's cache keys on too, so each view of each image is encoded and cached on one replica.
     */
    private static String viewKey(LoadedImage image, EncoderConfig encoder, String view) {
        return image.sha256() + "/" + encoder.name() + "/" + view;
    }

    /**
     * The embeddings' key in the LLM's prefix cache: the image's hash (taken once, when it was loaded) and all that
     * shapes its embeddings besides its bytes — model, encoders, and how it was cut.
     */
    private static String contentHash(PipelineConfig pipeline, EncoderSelection selection, LoadedImage image) {
        String cut = pipeline.tiling() != Tiling.ANYRES ? pipeline.tiling().toString()
                : "anyres" + (pipeline.layout() == AnyResLayout.LLAMA_CPP ? "-llama.cpp" : "");
        return image.sha256() + "/" + pipeline.model() + "/" + selection.name() + "/" + cut;
    }

    private CompletableFuture<AnyResTiling> anyResPlan(EncoderConfig encoder) {
        AnyResTiling known = anyResPlans.get(encoder.name());
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return calls.unary("encoder:" + encoder.name(), router.encoder(encoder.replicas(), encoder.name()),
                EncoderServiceGrpc.getDescribeMethod(), DescribeEncoderRequest.getDefaultInstance()).thenApply(info -> {
                    List<Integer> flat = info.getImageGridPinpointsList();
                    if (flat.isEmpty() || flat.size() % 2 != 0) {
                        throw ApiException.backendError("encoder " + encoder.name() + " has no AnyRes plan (its mmproj "
                                + "lacks clip.vision.image_grid_pinpoints) but the pipeline asks for anyres tiling");
                    }
                    List<Resolution> pinpoints = new ArrayList<>();
                    for (int i = 0; i < flat.size(); i += 2) {
                        pinpoints.add(new Resolution(flat.get(i), flat.get(i + 1)));
                    }
                    AnyResTiling tiling = new AnyResTiling(pinpoints, info.getImageSize());
                    anyResPlans.put(encoder.name(), tiling);
                    return tiling;
                });
    }

    private static Features single(EncodeResponse r, String encoder) {
        if (r.getFeaturesCount() != 1) {
            throw ApiException.backendError("encoder " + encoder + " returned " + r.getFeaturesCount()
                    + " feature maps for one image");
        }
        return r.getFeatures(0);
    }
}
