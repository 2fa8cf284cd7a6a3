package dev.fovea.training;

import ai.djl.ndarray.NDArray;

/**
 * The LLaVA-family projectors of {@code clip.projector_type}: {@code mlp} (Linear → GELU → Linear, tensors
 * {@code mm.0} and {@code mm.2}, LLaVA-1.5) and {@code linear} ({@code mm.0} alone, BLIP-style).
 */
final class Adapter {
    static final String MLP = "mlp";
    static final String LINEAR = "linear";

    private final String kind;
    private final Parameters p;

    Adapter(String kind, int in, int out, Parameters p) {
        if (!kind.equals(MLP) && !kind.equals(LINEAR)) {
            throw new IllegalArgumentException("adapter '" + kind + "' is not trained here (mlp, linear)");
        }
        this.kind = kind;
        this.p = p;
        p.normal("mm.0.weight", (float) (1 / Math.sqrt(in)), in, out);
        p.constant("mm.0.bias", 0f, out);
        if (kind.equals(MLP)) {
            p.normal("mm.2.weight", (float) (1 / Math.sqrt(out)), out, out);
            p.constant("mm.2.bias", 0f, out);
        }
    }

    String kind() {
        return kind;
    }

    NDArray forward(NDArray features) {
        NDArray x = TrainingOps.linear(features, p.get("mm.0.weight"), p.get("mm.0.bias"));
        if (kind.equals(MLP)) {
            x = TrainingOps.linear(TrainingOps.gelu(x), p.get("mm.2.weight"), p.get("mm.2.bias"));
        }
        return x;
    }
}
