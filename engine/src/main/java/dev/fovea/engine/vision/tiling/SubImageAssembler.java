package dev.fovea.engine.vision.tiling;

import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/** Concatenates the projector outputs of a {@link SubImagePlan} in plan order: global view, then sub-images. */
public final class SubImageAssembler {
    private SubImageAssembler() {
    }

    public static int outputTokens(SubImagePlan plan, int tokensPerView) {
        return Math.multiplyExact(plan.inputCount(), tokensPerView);
    }

    public static FeatureMap assemble(SubImagePlan plan, List<FeatureMap> projected) {
        if (projected.size() != plan.inputCount()) {
            throw new IllegalArgumentException("plan has " + plan.inputCount() + " inputs, got " + projected.size() + " outputs");
        }
        int dim = projected.getFirst().dim();
        long total = 0;
        for (FeatureMap f : projected) {
            if (f.dim() != dim) {
                throw new IllegalArgumentException("view outputs differ in width: " + f.dim() + " vs " + dim);
            }
            total += f.data().length;
        }
        float[] out = new float[Math.toIntExact(total)];
        int pos = 0;
        for (FeatureMap f : projected) {
            System.arraycopy(f.data(), 0, out, pos, f.data().length);
            pos += f.data().length;
        }
        return FeatureMap.sequence(out, out.length / dim, dim);
    }
}
