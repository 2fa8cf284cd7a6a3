package dev.fovea.encoderservice;

import com.google.protobuf.ByteString;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.engine.vision.ClipPreprocessor;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.ImageException;
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
import java.util.concurrent.CompletionException;

/** gRPC front of the encoder: images in, patch features out (F16 unless asked otherwise), cached by content. */
@GrpcService
public class EncoderGrpcService extends EncoderServiceGrpc.EncoderServiceImplBase {
    private final EncoderRuntime runtime;
    private final EncoderSettings settings;

    EncoderGrpcService(EncoderRuntime runtime, EncoderSettings settings) {
        this.runtime = runtime;
        this.settings = settings;
    }

    @Override
    public void encode(EncodeRequest request, StreamObserver<EncodeResponse> observer) {
        List<CompletableFuture<Features>> results = new ArrayList<>();
        try {
            if (request.getImagesCount() == 0 || request.getImagesCount() > settings.maxImagesPerCall()) {
                throw new IllegalArgumentException("an Encode call takes 1.." + settings.maxImagesPerCall()
                        + " images, got " + request.getImagesCount());
            }
            WireTensors.DType dtype = dtype(request.getFeatureDtype());
            for (ImageInput in : request.getImagesList()) {
                results.add(encodeOne(in, dtype));
            }
        } catch (IllegalArgumentException | ImageException e) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                Status status = cause instanceof IllegalArgumentException ? Status.INVALID_ARGUMENT : Status.INTERNAL;
                observer.onError(status.withDescription(cause.getMessage()).asRuntimeException());
                return;
            }
            EncodeResponse.Builder b = EncodeResponse.newBuilder();
            results.forEach(r -> b.addFeatures(r.join()));
            observer.onNext(b.build());
            observer.onCompleted();
        });
    }

    private CompletableFuture<Features> encodeOne(ImageInput in, WireTensors.DType dtype) throws ImageException {
        ClipPreprocessor.Profile profile = ClipPreprocessor.Profile.named(in.getProfile());
        int[] crop = in.hasCrop() ? new int[] {in.getCrop().getX(), in.getCrop().getY(), in.getCrop().getWidth(),
                in.getCrop().getHeight()} : null;
        String suffix = "|" + profile + (crop != null ? "|" + crop[0] + "," + crop[1] + "," + crop[2] + "," + crop[3] : "");
        CompletableFuture<FeatureMap> features;
        switch (in.getSourceCase()) {
            case ENCODED -> {
                byte[] bytes = in.getEncoded().toByteArray();
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
                byte[] bytes = t.getData().toByteArray();
                String key = EncoderRuntime.hash(bytes, "|pixels|" + t.getDtype());
                FeatureMap hit = runtime.cached(key);
                if (hit != null) {
                    return CompletableFuture.completedFuture(toProto(hit, dtype, true));
                }
                long n = 1;
                for (long d : t.getShapeList()) {
                    n = Math.multiplyExact(n, d);
                }
                float[] pixels = WireTensors.decode(bytes, dtype(t.getDtype()), n);
                features = runtime.encodePixels(pixels, key);
            }
            default -> throw new IllegalArgumentException("image input without encoded bytes or pixels");
        }
        return features.thenApply(f -> toProto(f, dtype, false));
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
        var e = runtime.encoder();
        EncoderInfo.Builder info = EncoderInfo.newBuilder().setName(runtime.name()).setImageSize(e.imageSize())
                .setFeatureDim(e.embd()).setTokensPerImage(e.patchCount())
                .setPatchSize(e.imageSize() / (int) Math.round(Math.sqrt(e.patchCount())));
        if (runtime.anyRes() != null) {
            runtime.anyRes().pinpoints().forEach(r -> info.addImageGridPinpoints(r.width()).addImageGridPinpoints(r.height()));
        }
        observer.onNext(info.build());
        observer.onCompleted();
    }
}
