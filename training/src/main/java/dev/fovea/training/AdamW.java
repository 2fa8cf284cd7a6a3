package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (on matrices only) and clipping of the global gradient norm. Runs outside the
 * gradient collector, where DJL records nothing, so the in-place updates are plain tensor arithmetic. Clears the
 * gradients it consumed (DJL accumulates them otherwise).
 */
final class AdamW {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.98f;
    private static final float EPS = 1e-8f;

    private final float weightDecay;
    private final float clipNorm;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int steps;

    AdamW(float weightDecay, float clipNorm) {
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
    }

    /** One update at learning rate {@code lr}; returns the gradient norm before clipping. */
    float step(Parameters params, float lr) {
        steps++;
        try (NDManager scratch = params.manager().newSubManager()) {
            Map<String, NDArray> grads = new HashMap<>();
            double sq = 0;
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(scratch);
                grads.put(e.getKey(), g);
                sq += g.square().sum().getFloat();
            }
            float norm = (float) Math.sqrt(sq);
            float scale = norm > clipNorm ? clipNorm / norm : 1f;
            float c1 = 1 - (float) Math.pow(BETA1, steps);
            float c2 = 1 - (float) Math.pow(BETA2, steps);
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                NDArray w = e.getValue();
                NDArray g = grads.get(e.getKey()).mul(scale);
                NDArray[] mv = moments.computeIfAbsent(e.getKey(), k -> new NDArray[] {
                        w.zerosLike(), w.zerosLike()});
                mv[0].muli(BETA1).addi(g.mul(1 - BETA1));
                mv[1].muli(BETA2).addi(g.square().mul(1 - BETA2));
                NDArray update = mv[0].div(c1).div(mv[1].div(c2).sqrt().add(EPS)).mul(lr);
                if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                    w.muli(1 - lr * weightDecay);
                }
                w.subi(update);
                grads.get(e.getKey()).muli(0f); // the gradient buffer itself: cleared for the next step
            }
            return norm;
        }
    }
}
