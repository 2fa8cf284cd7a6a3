package dev.fovea.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width the kernels run at: 16 float lanes where the CPU has 512-bit vectors (AVX-512), else 8 (AVX2).
 * The kernels are written for 16 lanes; a narrow CPU runs each 16-lane step as {@link #PARTS} steps of
 * {@link #LANES} lanes. Where the lanes are rows (the interleaved kernels) every lane's arithmetic is unchanged;
 * where they run along a row the lane sums are exact integers — so both widths give the same bits. A 512-bit
 * species on a CPU without it would run as plain Java code, two orders of magnitude slower.
 *
 * <p>{@code -Dfovea.vectorBits=512|256} picks the width regardless of the CPU (tests compare the two).
 */
public final class VectorWidth {
    /** Whether the kernels run 16-lane vectors. */
    public static final boolean WIDE = wide(System.getProperty("fovea.vectorBits"));
    /** Float lanes per vector: 16 or 8. */
    static final int LANES = WIDE ? 16 : 8;
    /** Vector steps per 16-lane step. */
    static final int PARTS = 16 / LANES;
    static final VectorSpecies<Float> F = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I = WIDE ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    /** {@link #LANES} bytes, widened to {@link #F} or {@link #I}. */
    static final VectorSpecies<Byte> B = WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    /** {@link #LANES} shorts. */
    static final VectorSpecies<Short> S = WIDE ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;

    private VectorWidth() {
    }

    private static boolean wide(String bits) {
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        }
        return switch (bits.trim()) {
            case "512" -> true;
            case "256" -> false;
            default -> throw new IllegalArgumentException("fovea.vectorBits must be 512 or 256, got " + bits);
        };
    }

    /** A warning for users when the CPU has neither 512- nor 256-bit vectors, else null. */
    public static String warning() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits >= 256) {
            return null;
        }
        return "this CPU has " + bits + "-bit vectors, no AVX2: the engine's kernels run as plain Java code here, "
                + "two orders of magnitude slower than on AVX2 or AVX-512 machines";
    }
}
