package dev.fovea.gateway.chat;

import com.google.protobuf.ByteString;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.gateway.ApiException;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.Tensor;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Row-wise concatenation of the adapter's embedding tensors (one per view of an image) as protobuf wire tensors,
 * and the mapping of their wire types to the engine's {@link WireTensors}, which converts the bytes.
 */
final class EmbeddingRows {
    private EmbeddingRows() {
    }

    /** [n_i][embd] tensors stacked into [Σn_i][embd]; mixed wire types are brought to F32. */
    static Tensor concat(List<Tensor> parts) {
        long width = -1;
        long rows = 0;
        boolean sameType = true;
        for (Tensor t : parts) {
            if (t.getShapeCount() != 2 || t.getShape(0) <= 0 || (width >= 0 && t.getShape(1) != width)) {
                throw ApiException.backendError("the adapter returned embeddings of shape " + t.getShapeList());
            }
            width = t.getShape(1);
            rows += t.getShape(0);
            sameType &= t.getDtype() == parts.get(0).getDtype();
            if (t.getData().size() != t.getShape(0) * t.getShape(1) * wire(t.getDtype()).bytes()) {
                throw ApiException.backendError("the adapter's embeddings hold " + t.getData().size()
                        + " bytes for shape " + t.getShapeList());
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DType type = sameType ? parts.get(0).getDtype() : DType.F32;
        for (Tensor t : parts) {
            byte[] data = t.getData().toByteArray();
            if (!sameType) {
                data = WireTensors.encode(WireTensors.decode(data, wire(t.getDtype()), t.getShape(0) * t.getShape(1)),
                        WireTensors.DType.F32);
            }
            out.writeBytes(data);
        }
        return Tensor.newBuilder().addShape(rows).addShape(width).setDtype(type)
                .setData(ByteString.copyFrom(out.toByteArray())).build();
    }

    /** The engine's element type of a wire type, by its name: {@link WireTensors.DType#fromWireName} owns that map. */
    private static WireTensors.DType wire(DType d) {
        try {
            return WireTensors.DType.fromWireName(d.name());
        } catch (IllegalArgumentException e) {
            throw ApiException.backendError("the adapter returned an unknown tensor type");
        }
    }
}
