package dev.fovea.engine.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Whether this CPU runs the engine's 16-lane kernels natively. The quantized kernels (Q8_0, Q4_0, the low-bit and
 * K-quant types) are written for 512-bit vectors; without AVX-512 the JIT cannot compile them to vector instructions
 * and they fall back to scalar Java, two orders of magnitude slower. F32/F16 products and the vision tower's attention
 * have 8-lane paths with the same bits.
 */
public final class VectorWidth {
    /** 512-bit float vectors are native here. */
    public static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

    private VectorWidth() {
    }

    /** A warning for users when the CPU lacks 512-bit vectors, else null. */
    public static String warning() {
        if (WIDE) {
            return null;
        }
        return "this CPU has " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, no AVX-512: quantized "
                + "models (Q8_0, Q4_0, K-quants, …) run far slower here than on AVX-512 machines (their kernels are "
                + "written for 16 float lanes; measured 200× slower on a TinyLlama Q4_K); F32/F16 models are not affected";
    }
}
