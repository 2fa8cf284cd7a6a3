package dev.fovea.adapterservice;

import com.google.protobuf.ByteString;
import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.tiling.AnyResAssembler;
import dev.fovea.engine.vision.tiling.AnyResPlan;
import dev.fovea.grpcsupport.GrpcFailures;
import dev.fovea.grpcsupport.RequestIds;
import dev.fovea.proto.v1.AdapterServiceGrpc;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.Features;
import dev.fovea.proto.v1.ProjectRequest;
import dev.fovea.proto.v1.ProjectResponse;
import dev.fovea.proto.v1.Tensor;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.ArrayList;
import java.util.List;

/** gRPC front of the projectors: the features of one or more encoders in, LLM embeddings out. */
@GrpcService
public class AdapterGrpcService extends AdapterServiceGrpc.AdapterServiceImplBase {
    /** Most values one input may carry (a float array's practical limit). */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 16;
    private final AdapterRuntime runtime;
    private final MeterRegistry registry;

    AdapterGrpcService(AdapterRuntime runtime, MeterRegistry registry) {
        this.runtime = runtime;
        this.registry = registry;
    }

    @Override
    @Blocking
    public void project(ProjectRequest request, StreamObserver<ProjectResponse> observer) {
        String requestId = RequestIds.current();
        long t0 = System.nanoTime();
        FeatureMap out;
        WireTensors.DType dtype;
        try {
            Projector p = runtime.projector(request.getAdapter());
            dtype = dtype(request.getEmbeddingDtype());
            List<FeatureMap> inputs = new ArrayList<>();
            for (Features f : request.getInputsList()) {
                inputs.add(toFeatureMap(f));
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("no encoder features given");
            }
            if (request.hasAnyres()) {
                out = assembleAnyRes(request, p, inputs);
            } else {
                out = p.project(inputs, runtime.pool());
            }
            ProjectResponse.Builder response = ProjectResponse.newBuilder().setEmbeddings(Tensor.newBuilder()
                    .addShape(out.tokens()).addShape(out.dim()).setDtype(wire(dtype))
                    .setData(ByteString.copyFrom(WireTensors.encode(out.data(), dtype))));
            if (p.gridPositions() && !request.hasAnyres()) {
                response.setGridHeight(out.gridHeight()).setGridWidth(out.gridWidth());
            }
            observer.onNext(response.build());
        } catch (RuntimeException e) {
            observer.onError(GrpcFailures.status(e, requestId));
            return;
        }
        observer.onCompleted();
        Timer.builder("fovea.adapter.project.time").tag("adapter", request.getAdapter()).register(registry)
                .record(java.time.Duration.ofNanos(System.nanoTime() - t0));
    }

    /** Projects each AnyRes view of one image, then assembles them as LLaVA-1.6 does. */
    private FeatureMap assembleAnyRes(ProjectRequest request, Projector p, List<FeatureMap> views) {
        AdapterRuntime.AnyRes a = runtime.anyRes(request.getAdapter());
        if (a.tiling() == null) {
            throw new IllegalArgumentException("adapter '" + request.getAdapter() + "' has no AnyRes plan "
                    + "(clip.vision.image_grid_pinpoints in its file)");
        }
        int width = request.getAnyres().getWidth();
        int height = request.getAnyres().getHeight();
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("anyres width and height must be positive, got " + width + "x" + height);
        }
        AnyResPlan plan = a.tiling().plan(width, height);
        if (views.size() != plan.inputCount()) {
            throw new IllegalArgumentException("an AnyRes image of " + request.getAnyres().getWidth() + "x"
                    + request.getAnyres().getHeight() + " has " + plan.inputCount() + " views, got " + views.size());
        }
        List<FeatureMap> projected = new ArrayList<>(views.size());
        for (FeatureMap v : views) {
            projected.add(p.project(List.of(v), runtime.pool()));
        }
        return request.getAnyres().getLlamaCppLayout() ? AnyResAssembler.assembleLlamaCpp(plan, projected)
                : AnyResAssembler.assemble(plan, projected, a.newline());
    }

    /**
     * The features of one input, once its shape is checked in {@code long} (no product can overflow) and its
     * data holds exactly {@code tokens × dim} values of its dtype.
     */
    private static FeatureMap toFeatureMap(Features f) {
        Tensor t = f.getData();
        if (t.getShapeCount() != 2 || t.getShape(0) <= 0 || t.getShape(1) <= 0
                || t.getShape(0) > MAX_VALUES || t.getShape(1) > MAX_VALUES
                || t.getShape(0) * t.getShape(1) > MAX_VALUES) {
            throw new IllegalArgumentException("features must have shape [tokens][dim] with at most " + MAX_VALUES
                    + " values, got " + t.getShapeList());
        }
        int tokens = (int) t.getShape(0);
        int dim = (int) t.getShape(1);
        WireTensors.DType type = dtype(t.getDtype());
        long bytes = (long) tokens * dim * type.bytes();
        if (t.getData().size() != bytes) {
            throw new IllegalArgumentException("features of shape " + t.getShapeList() + " (rows " + dim
                    + " values wide) take " + bytes + " bytes as " + type + ", got " + t.getData().size());
        }
        float[] data = WireTensors.decode(t.getData().toByteArray(), type, (long) tokens * dim);
        int gh = f.getGridHeight();
        int gw = f.getGridWidth();
        if (gh == 0 && gw == 0) {
            return FeatureMap.sequence(data, tokens, dim);
        }
        if (gh < 0 || gw < 0 || (long) gh * gw != tokens) {
            throw new IllegalArgumentException("a feature grid of " + gh + "x" + gw + " does not hold " + tokens
                    + " tokens");
        }
        return new FeatureMap(data, tokens, dim, gh, gw);
    }

    static WireTensors.DType dtype(DType d) {
        return WireTensors.DType.fromWireName(d.name());
    }

    private static DType wire(WireTensors.DType d) {
        return DType.valueOf(d.name());
    }
}
