package dev.fovea.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BlockDecoder#quants}' integer form, {@link VectorWidth#LANES} values per step: the tiled mat-mul decodes
 * each panel chunk once for all tokens, and decoding it a value at a time took a fifth of a Q4_K prompt. Every
 * value is a small integer (at most 63 · 31 in magnitude), exact in a float whichever way it is formed, so the
 * arrays are the same as the scalar decoder's.
 */
final class VectorQuantDecoder {
    private static final VectorSpecies<Byte> B = VectorWidth.B;
    private static final VectorSpecies<Integer> I = VectorWidth.I;
    private static final int VL = VectorWidth.LANES;

    private VectorQuantDecoder() {
    }

    /** As {@link BlockDecoder#quants}, for Q8_0, Q4_0, Q4_K, Q5_K and Q6_K. */
    static void quants(GgmlType type, byte[] src, int so, int count, float[] w, int wo, float[] scale,
                       int scaleOff, float[] minScale, int[] mins, int minOff) {
        switch (type) {
            case Q8_0 -> {
                for (int b = 0; b < count / 32; b++) {
                    int bo = so + 34 * b;
                    scale[scaleOff + b] = BlockDecoder.half(src, bo);
                    for (int j = 0; j < 32; j += VL) {
                        floats(bytes(src, bo + 2 + j)).intoArray(w, wo + 32 * b + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < count / 32; b++) {
                    int bo = so + 18 * b;
                    scale[scaleOff + b] = BlockDecoder.half(src, bo);
                    for (int j = 0; j < 16; j += VL) {
                        IntVector q = bytes(src, bo + 2 + j);
                        floats(q.and(0xF).sub(8)).intoArray(w, wo + 32 * b + j);
                        floats(q.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8)).intoArray(w, wo + 32 * b + 16 + j);
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + 144 * b;
                    scale[scaleOff + b] = BlockDecoder.half(src, bo);
                    minScale[scaleOff + b] = BlockDecoder.half(src, bo + 2);
                    // each load of 32 nibble bytes serves two sub-blocks: 2g (low nibbles) and 2g + 1 (high)
                    for (int g = 0; g < 4; g++) {
                        int lo = 2 * g;
                        int hi = 2 * g + 1;
                        float scLo = BlockDecoder.kScale(src, bo + 4, lo);
                        float scHi = BlockDecoder.kScale(src, bo + 4, hi);
                        mins[(minOff + b) * 8 + lo] = BlockDecoder.kMin(src, bo + 4, lo);
                        mins[(minOff + b) * 8 + hi] = BlockDecoder.kMin(src, bo + 4, hi);
                        for (int l = 0; l < 32; l += VL) {
                            IntVector q = bytes(src, bo + 16 + 32 * g + l);
                            floats(q.and(0xF)).mul(scLo).intoArray(w, wo + 256 * b + 32 * lo + l);
                            floats(q.lanewise(VectorOperators.LSHR, 4).and(0xF)).mul(scHi)
                                    .intoArray(w, wo + 256 * b + 32 * hi + l);
                        }
                    }
                }
            }
            case Q5_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + 176 * b;
                    scale[scaleOff + b] = BlockDecoder.half(src, bo);
                    minScale[scaleOff + b] = BlockDecoder.half(src, bo + 2);
                    for (int j = 0; j < 8; j++) {
                        int sc = BlockDecoder.kScale(src, bo + 4, j);
                        mins[(minOff + b) * 8 + j] = BlockDecoder.kMin(src, bo + 4, j);
                        // sub-block j = 2g + h: nibble bytes 48 + 32g…, low nibbles for h = 0, high for h = 1; the
                        // fifth bit is bit j of high-bit byte 16 + l
                        int shift = 4 * (j & 1);
                        for (int l = 0; l < 32; l += VL) {
                            IntVector q = bytes(src, bo + 48 + 32 * (j >> 1) + l).lanewise(VectorOperators.LSHR, shift)
                                    .and(0xF).add(bytes(src, bo + 16 + l).lanewise(VectorOperators.LSHR, j).and(1)
                                            .lanewise(VectorOperators.LSHL, 4));
                            floats(q.mul(sc)).intoArray(w, wo + 256 * b + 32 * j + l);
                        }
                    }
                }
            }
            case Q6_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + 210 * b;
                    scale[scaleOff + b] = BlockDecoder.half(src, bo + 208);
                    minScale[scaleOff + b] = 0f;
                    // element e = 128·half + 32·quarter + l: low nibble from byte 64·half + 32·(quarter & 1) + l
                    // (quarters 2, 3 its high nibble), high bits 2·quarter of byte 128 + 32·half + l
                    for (int half = 0; half < 2; half++) {
                        for (int quarter = 0; quarter < 4; quarter++) {
                            int lowShift = quarter < 2 ? 0 : 4;
                            for (int l = 0; l < 32; l += VL) {
                                int e = 128 * half + 32 * quarter + l;
                                IntVector lo = bytes(src, bo + 64 * half + 32 * (quarter & 1) + l)
                                        .lanewise(VectorOperators.LSHR, lowShift).and(0xF);
                                IntVector hi = bytes(src, bo + 128 + 32 * half + l)
                                        .lanewise(VectorOperators.LSHR, 2 * quarter).and(3);
                                IntVector q = lo.or(hi.lanewise(VectorOperators.LSHL, 4)).sub(32);
                                // a sub-block of 16 shares one int8 scale; a vector's lanes never straddle two
                                floats(q.mul(src[bo + 192 + e / 16])).intoArray(w, wo + 256 * b + e);
                            }
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("no integer form for " + type);
        }
    }

    private static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** {@link VectorWidth#LANES} bytes from {@code off}, sign-extended to int lanes. */
    private static IntVector bytes(byte[] src, int off) {
        return (IntVector) ByteVector.fromArray(B, src, off).convertShape(VectorOperators.B2I, I, 0);
    }
}
