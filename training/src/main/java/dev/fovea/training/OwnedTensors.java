package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Tensors whose memory PyTorch owns. DJL's {@code create(float[])} wraps a direct buffer that the Java garbage
 * collector may free while views of it are still saved for the backward pass (seen as NaN gradients and crashes
 * whenever a collection fell inside a step); a copy made by PyTorch has no such tie.
 */
final class OwnedTensors {
    private OwnedTensors() {
    }

    static NDArray of(NDManager m, float[] values, Shape shape) {
        try (NDArray wrapped = m.create(values, shape)) {
            return wrapped.duplicate();
        }
    }
}
