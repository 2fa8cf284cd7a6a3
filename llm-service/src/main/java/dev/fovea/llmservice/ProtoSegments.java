package dev.fovea.llmservice;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Wire segments to engine segments, with every shape checked against the model. */
final class ProtoSegments {
    private ProtoSegments() {
    }

    static List<Segment> toEngine(List<dev.fovea.proto.v1.Segment> segments, int embd) {
        List<Segment> out = new ArrayList<>(segments.size());
        for (dev.fovea.proto.v1.Segment s : segments) {
            switch (s.getKindCase()) {
                case TOKENS -> out.add(Segment.tokens(s.getTokens().getIdsList().stream().mapToInt(Integer::intValue).toArray()));
                case EMBEDDINGS -> {
                    Tensor t = s.getEmbeddings().getData();
                    if (t.getShapeCount() != 2 || t.getShape(1) != embd || t.getShape(0) <= 0) {
                        throw new IllegalArgumentException("embeddings must have shape [n][" + embd + "], got "
                                + t.getShapeList());
                    }
                    int n = Math.toIntExact(t.getShape(0));
                    float[] data = WireTensors.decode(t.getData().toByteArray(), dtype(t.getDtype()), (long) n * embd);
                    out.add(Segment.embeddings(data, n));
                }
                case KIND_NOT_SET -> throw new IllegalArgumentException("segment without tokens or embeddings");
            }
        }
        return out;
    }

    static WireTensors.DType dtype(DType d) {
        return WireTensors.DType.fromWireName(d.name());
    }
}
