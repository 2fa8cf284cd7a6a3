package dev.fovea.llmservice;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire segments to engine segments, with every shape checked against the model before anything is copied: the
 * positions of all segments together must fit the context, and an embeddings tensor must be {@code [n][embd]} with
 * exactly {@code n × embd} values of its dtype (sizes in {@code long}, so no shape can overflow).
 */
final class ProtoSegments {
    private ProtoSegments() {
    }

    static List<Segment> toEngine(List<dev.fovea.proto.v1.Segment> segments, int embd, int context) {
        long positions = 0;
        for (dev.fovea.proto.v1.Segment s : segments) {
            positions += switch (s.getKindCase()) {
                case TOKENS -> s.getTokens().getIdsCount();
                case EMBEDDINGS -> rows(s.getEmbeddings().getData(), embd, context);
                case KIND_NOT_SET -> throw new IllegalArgumentException("segment without tokens or embeddings");
            };
            if (positions >= context) {
                throw new IllegalArgumentException("input of " + positions + "+ positions does not fit the context of "
                        + context + " tokens");
            }
        }
        List<Segment> out = new ArrayList<>(segments.size());
        for (dev.fovea.proto.v1.Segment s : segments) {
            if (s.hasTokens()) {
                out.add(Segment.tokens(s.getTokens().getIdsList().stream().mapToInt(Integer::intValue).toArray()));
            } else {
                Tensor t = s.getEmbeddings().getData();
                int n = (int) t.getShape(0);
                int gh = s.getEmbeddings().getGridHeight();
                int gw = s.getEmbeddings().getGridWidth();
                if (gh < 0 || gw < 0 || (gh != 0 || gw != 0) && (long) gh * gw != n) {
                    throw new IllegalArgumentException("an image grid of " + gh + "×" + gw + " for " + n
                            + " embedding rows");
                }
                out.add(new Segment.Embeddings(WireTensors.decode(t.getData().toByteArray(), dtype(t.getDtype()),
                        (long) n * embd), n, gh, gw));
            }
        }
        return out;
    }

    /** The rows of an embeddings tensor, once its shape and byte count are right. */
    private static long rows(Tensor t, int embd, int context) {
        String want = "embeddings must have shape [n][" + embd + "] with 1 <= n < " + context;
        if (t.getShapeCount() != 2 || t.getShape(1) != embd || t.getShape(0) <= 0 || t.getShape(0) >= context) {
            throw new IllegalArgumentException(want + ", got " + t.getShapeList());
        }
        WireTensors.DType type = dtype(t.getDtype());
        long bytes = t.getShape(0) * embd * type.bytes(); // < context × embd × 4: no overflow
        if (t.getData().size() != bytes) {
            throw new IllegalArgumentException("embeddings of shape " + t.getShapeList() + " (rows " + embd
                    + " values wide) take " + bytes + " bytes as " + type + ", got " + t.getData().size());
        }
        return t.getShape(0);
    }

    static WireTensors.DType dtype(DType d) {
        return WireTensors.DType.fromWireName(d.name());
    }
}
