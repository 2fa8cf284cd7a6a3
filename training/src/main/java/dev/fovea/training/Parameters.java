package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trainable tensors of a model by their GGUF tensor names. Linear weights are held as {@code [in, out]} so that
 * a forward pass is {@code x.matMul(w)} with the activation as receiver: DJL attaches a result to its receiver's
 * manager, and activations live in the per-step manager that is closed after each step.
 */
final class Parameters implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> values = new LinkedHashMap<>();
    private final SplittableRandom random;

    Parameters(NDManager parent, long seed) {
        this.manager = parent.newSubManager();
        this.random = new SplittableRandom(seed);
    }

    NDManager manager() {
        return manager;
    }

    /** A normal(0, std) tensor. */
    NDArray normal(String name, float std, long... shape) {
        long n = new Shape(shape).size();
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian() * std);
        }
        return put(name, v, shape);
    }

    NDArray constant(String name, float value, long... shape) {
        float[] v = new float[Math.toIntExact(new Shape(shape).size())];
        java.util.Arrays.fill(v, value);
        return put(name, v, shape);
    }

    private double gaussian() {
        // Box-Muller from the seeded stream: initialization is reproducible for a seed
        double u1 = Math.max(random.nextDouble(), 1e-300);
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private NDArray put(String name, float[] v, long... shape) {
        if (values.containsKey(name)) {
            throw new IllegalArgumentException("parameter '" + name + "' exists");
        }
        NDArray a = OwnedTensors.of(manager, v, new Shape(shape));
        a.setRequiresGradient(true);
        values.put(name, a);
        return a;
    }

    NDArray get(String name) {
        NDArray a = values.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'");
        }
        return a;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Map<String, NDArray> all() {
        return Collections.unmodifiableMap(values);
    }

    long count() {
        return values.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
