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
    private final Map<String, NDArray> gradients = new HashMap<>();
    private int steps;

    AdamW(float weightDecay, float clipNorm) {
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
    }

    /** One update at learning rate {@code lr}; returns the gradient norm before clipping. */
    float step(Parameters params, float lr) {
        steps++;
        try (NDManager scratch = params.manager().newSubManager()) {
            double sq = 0;
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                NDArray squares = gradient(e.getKey(), e.getValue()).square();
                squares.attach(scratch); // results join their receiver's manager: the gradient's is never closed
                sq += squares.sum().getFloat();
            }
            float norm = (float) Math.sqrt(sq);
            float scale = norm > clipNorm ? clipNorm / norm : 1f;
            float c1 = 1 - (float) Math.pow(BETA1, steps);
            float c2 = 1 - (float) Math.pow(BETA2, steps);
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                NDArray w = e.getValue();
                NDArray g = gradient(e.getKey(), w).mul(scale);
                g.attach(scratch);
                NDArray[] mv = moments.computeIfAbsent(e.getKey(), k -> new NDArray[] {
                        w.zerosLike(), w.zerosLike()});
                mv[0].muli(BETA1).addi(g.mul(1 - BETA1));
                mv[1].muli(BETA2).addi(g.square().mul(1 - BETA2));
                NDArray denominator = scratch(mv[1].div(c2), scratch).sqrt().add(EPS);
                NDArray update = scratch(mv[0].div(c1), scratch).div(denominator).mul(lr);
                if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                    w.muli(1 - lr * weightDecay);
                }
                w.subi(update);
                gradient(e.getKey(), w).muli(0f); // the gradient buffer itself: cleared for the next step
            }
            return norm;
        }
    }

    private static NDArray scratch(NDArray a, NDManager scratch) {
        a.attach(scratch);
        return a;
    }

    /**
     * The gradient buffer of a parameter, taken once and never closed: DJL's handle is the parameter's own gradient
     * tensor, and closing it frees what the next backward pass accumulates into.
     */
    private NDArray gradient(String name, NDArray param) {
        return gradients.computeIfAbsent(name, k -> {
            NDArray g = param.getGradient();
            g.detach();
            return g;
        });
    }
}
