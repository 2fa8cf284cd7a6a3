package dev.fovea.encoderservice;

import com.google.protobuf.ByteString;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.engine.vision.ClipPreprocessor;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.ImageException;
import dev.fovea.grpcsupport.DrainGate;
import dev.fovea.grpcsupport.EndOnceObserver;
import dev.fovea.grpcsupport.GrpcFailures;
import dev.fovea.grpcsupport.RequestIds;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.DescribeEncoderRequest;
import dev.fovea.proto.v1.EncodeRequest;
import dev.fovea.proto.v1.EncodeResponse;
import dev.fovea.proto.v1.EncoderInfo;
import dev.fovea.proto.v1.EncoderServiceGrpc;
import dev.fovea.proto.v1.Features;
import dev.fovea.proto.v1.ImageInput;
import dev.fovea.proto.v1.Tensor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** gRPC front of the encoder: images in, patch features out (F16 unless asked otherwise), cached by content. */
@GrpcService
public class EncoderGrpcService extends EncoderServiceGrpc.EncoderServiceImplBase {
    private final EncoderRuntime runtime;
    private final EncoderSettings settings;
    private final EncoderDrain drain;

    EncoderGrpcService(EncoderRuntime runtime, EncoderSettings settings, EncoderDrain drain) {
        this.runtime = runtime;
        this.settings = settings;
        this.drain = drain;
    }

    /**
     * Runs on an I/O thread, so it only checks the call's size and hands each image to the image workers: hashing,
     * decoding and preprocessing happen there, each image within the decode deadline. A draining replica refuses
     * the call, and answers UNAVAILABLE to one that outlasts the drain (its features are then dropped).
     */
    @Override
    public void encode(EncodeRequest request, StreamObserver<EncodeResponse> observer) {
        String requestId = RequestIds.current();
        EndOnceObserver<EncodeResponse> out = new EndOnceObserver<>(observer);
        DrainGate.Pass pass;
        try {
            pass = drain.gate().enter("Encode",
                    status -> out.onError(GrpcFailures.status(status.asRuntimeException(), requestId)));
        } catch (RuntimeException e) {
            observer.onError(GrpcFailures.status(e, requestId));
            return;
        }
        List<CompletableFuture<Features>> results = new ArrayList<>();
        int admitted = 0;
        try {
            if (request.getImagesCount() == 0 || request.getImagesCount() > settings.maxImagesPerCall()) {
                throw new IllegalArgumentException("an Encode call takes 1.." + settings.maxImagesPerCall()
                        + " images (fovea.encoder.max-images-per-call), got " + request.getImagesCount());
            }
            WireTensors.DType dtype = dtype(request.getFeatureDtype());
            runtime.admit(request.getImagesCount());
            admitted = request.getImagesCount();
            for (int i = 0; i < request.getImagesCount(); i++) {
                ImageInput in = request.getImages(i);
                String what = "image " + (i + 1) + " of " + request.getImagesCount() + " (request " + requestId + ", "
                        + in.getSerializedSize() + " bytes)";
                results.add(runtime.workers().submit(what, () -> encodeOne(in, dtype)).thenCompose(f -> f));
            }
        } catch (RuntimeException e) {
            runtime.release(admitted);
            out.onError(GrpcFailures.status(e, requestId));
            pass.close();
            return;
        }
        int held = admitted;
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> {
            try {
                runtime.release(held);
                if (error != null) {
                    out.onError(GrpcFailures.status(error, requestId));
                    return;
                }
                EncodeResponse.Builder b = EncodeResponse.newBuilder();
                results.forEach(r -> b.addFeatures(r.join()));
                out.last(b.build());
            } finally {
                pass.close();
            }
        });
    }

    /** On an image worker: the cached features, or the image decoded, preprocessed and queued for the tower. */
    private CompletableFuture<Features> encodeOne(ImageInput in, WireTensors.DType dtype) throws ImageException {
        ClipPreprocessor.Profile profile = ClipPreprocessor.Profile.named(in.getProfile());
        int[] crop = in.hasCrop() ? new int[] {in.getCrop().getX(), in.getCrop().getY(), in.getCrop().getWidth(),
                in.getCrop().getHeight()} : null;
        String suffix = "|" + profile + (crop != null ? "|" + crop[0] + "," + crop[1] + "," + crop[2] + "," + crop[3] : "");
        CompletableFuture<FeatureMap> features;
        switch (in.getSourceCase()) {
            case ENCODED -> {
                byte[] bytes = in.getEncoded().toByteArray();
                if (in.hasMinicpmvSlice()) {
                    int index = in.getMinicpmvSlice().getIndex();
                    String key = EncoderRuntime.hash(bytes, "|minicpmv|" + index);
                    FeatureMap hit = runtime.cached(key);
                    return hit != null ? CompletableFuture.completedFuture(toProto(hit, dtype, true))
                            : runtime.encodeSlice(bytes, index, key).thenApply(f -> toProto(f, dtype, false));
                }
                if (in.hasAnyres()) {
                    int view = in.getAnyres().getIndex();
                    String key = EncoderRuntime.hash(bytes, "|anyres|" + view);
                    FeatureMap hit = runtime.cached(key);
                    return hit != null ? CompletableFuture.completedFuture(toProto(hit, dtype, true))
                            : runtime.encodeAnyResView(bytes, view, key).thenApply(f -> toProto(f, dtype, false));
                }
                String key = EncoderRuntime.hash(bytes, suffix);
                FeatureMap hit = runtime.cached(key);
                return hit != null ? CompletableFuture.completedFuture(toProto(hit, dtype, true))
                        : runtime.encodeFile(bytes, crop, profile, key).thenApply(f -> toProto(f, dtype, false));
            }
            case PIXELS -> {
                Tensor t = in.getPixels();
                WireTensors.DType pixelType = dtype(t.getDtype());
                long values = checkPixelShape(t, pixelType);
                byte[] bytes = t.getData().toByteArray();
                String key = EncoderRuntime.hash(bytes, "|pixels|" + t.getDtype());
                FeatureMap hit = runtime.cached(key);
                if (hit != null) {
                    return CompletableFuture.completedFuture(toProto(hit, dtype, true));
                }
                features = runtime.encodePixels(WireTensors.decode(bytes, pixelType, values), key);
            }
            default -> throw new IllegalArgumentException("image input without encoded bytes or pixels");
        }
        return features.thenApply(f -> toProto(f, dtype, false));
    }

    /**
     * Checks a pixel tensor's shape against the tower's input before anything is decoded: each dimension positive,
     * the product (kept below the expected count, so it cannot overflow) equal to 3 × size × size, and the data
     * exactly that many values.
     */
    private long checkPixelShape(Tensor t, WireTensors.DType type) {
        int size = runtime.encoder().imageSize();
        long expected = 3L * size * size;
        String want = "pixels must have shape [3][" + size + "][" + size + "] (" + expected + " values)";
        if (t.getShapeCount() == 0) {
            throw new IllegalArgumentException(want + ", got no shape");
        }
        long product = 1;
        for (long d : t.getShapeList()) {
            if (d <= 0 || d > expected || product > expected / d) {
                throw new IllegalArgumentException(want + ", got " + t.getShapeList());
            }
            product *= d;
        }
        if (product != expected) {
            throw new IllegalArgumentException(want + ", got " + t.getShapeList());
        }
        if (t.getData().size() != expected * type.bytes()) {
            throw new IllegalArgumentException(want + ": " + expected * type.bytes() + " bytes as " + type + ", got "
                    + t.getData().size() + " bytes");
        }
        return expected;
    }

    private static Features toProto(FeatureMap f, WireTensors.DType dtype, boolean hit) {
        return Features.newBuilder()
                .setData(Tensor.newBuilder().addShape(f.tokens()).addShape(f.dim()).setDtype(wire(dtype))
                        .setData(ByteString.copyFrom(WireTensors.encode(f.data(), dtype))))
                .setGridHeight(f.gridHeight()).setGridWidth(f.gridWidth()).setCacheHit(hit).build();
    }

    static WireTensors.DType dtype(DType d) {
        return WireTensors.DType.fromWireName(d.name());
    }

    private static DType wire(WireTensors.DType d) {
        return DType.valueOf(d.name());
    }

    @Override
    public void describe(DescribeEncoderRequest request, StreamObserver<EncoderInfo> observer) {
        EncoderInfo.Builder info = EncoderInfo.newBuilder().setName(runtime.name());
        if (runtime.qwen2vl() != null) {
            // each image at its own size: no fixed input size or token count
            info.setFeatureDim(runtime.qwen2vl().embd()).setPatchSize(runtime.qwen2vl().patchSize());
        } else if (runtime.slices()) {
            // each slice at its own size: the patch count varies (the resampler brings every slice to one count)
            var e = runtime.encoder();
            info.setFeatureDim(e.embd()).setPatchSize(e.imageSize() / (int) Math.round(Math.sqrt(e.patchCount())))
                    .setSlicesImages(true);
        } else {
            var e = runtime.encoder();
            info.setImageSize(e.imageSize()).setFeatureDim(e.embd()).setTokensPerImage(e.patchCount())
                    .setPatchSize(e.imageSize() / (int) Math.round(Math.sqrt(e.patchCount())));
        }
        if (runtime.anyRes() != null) {
            runtime.anyRes().pinpoints().forEach(r -> info.addImageGridPinpoints(r.width()).addImageGridPinpoints(r.height()));
        }
        observer.onNext(info.build());
        observer.onCompleted();
    }
}
