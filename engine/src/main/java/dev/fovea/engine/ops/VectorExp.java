package dev.fovea.engine.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x for x ≤ 0, as ggml's vector {@code expf} computes it: x = n·ln 2 + b (ln 2 in two parts), a degree-5
 * polynomial for e^b, 2^n put into the exponent bits; 0 below −87, where 2^n would leave the normal range. Within
 * 2 ulp of {@code Math.exp}. Softmax (after subtracting the maximum), vision attention and SiLU (through
 * e^−|x|) need no more.
 *
 * <p>Built from FMAs, adds and bit moves only, the same operations in the same order per element in
 * {@link #expNonPositive(float)} and in each lane of {@link #expNonPositive(FloatVector)}: a value gets the same
 * bits on either path, at any vector width, interpreted or compiled ({@code VectorOperators.EXP} does not: compiled,
 * it calls a vector math library that rounds differently from its Java fallback). Why not {@code Math.exp}: it costs
 * about 8 ns an element here, and softmax over long prompts and SwiGLU call it hundreds of millions of times per
 * prompt; eight lanes of this cost about one.
 */
public final class VectorExp {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 0x1.715476p+0f;
    private static final float SHIFTER = 0x1.8p23f;
    private static final float LN2_HI = 0x1.62e4p-1f;
    private static final float LN2_LO = 0x1.7f7d1cp-20f;
    private static final int ONE_BITS = Float.floatToRawIntBits(1f);
    private static final float P1 = 0x1.ffffecp-1f;
    private static final float P2 = 0x1.fffdb6p-2f;
    private static final float P3 = 0x1.555e66p-3f;
    private static final float P4 = 0x1.573e2ep-5f;
    private static final float P5 = 0x1.0e4020p-7f;
    private static final float LOW = -87f;

    private VectorExp() {
    }

    /** e^x lane by lane, for x ≤ 0. */
    public static FloatVector expNonPositive(FloatVector x) {
        VectorSpecies<Float> sp = x.species();
        FloatVector z = x.fma(LOG2E, SHIFTER);
        FloatVector n = z.sub(SHIFTER);
        FloatVector minusN = n.neg();
        FloatVector b = minusN.fma(FloatVector.broadcast(sp, LN2_LO),
                minusN.fma(FloatVector.broadcast(sp, LN2_HI), x));
        FloatVector k = z.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats();
        FloatVector u = b.mul(b);
        FloatVector j = b.fma(P5, P4).fma(u, b.fma(P3, P2)).fma(u, b.mul(P1));
        return j.fma(k, k).blend(0f, x.compare(VectorOperators.LT, LOW));
    }

    /** e^x for x ≤ 0, the same bits as a lane of {@link #expNonPositive(FloatVector)}. */
    public static float expNonPositive(float x) {
        float z = Math.fma(x, LOG2E, SHIFTER);
        float n = z - SHIFTER;
        float minusN = -n;
        float b = Math.fma(minusN, LN2_LO, Math.fma(minusN, LN2_HI, x));
        float k = Float.intBitsToFloat((Float.floatToRawIntBits(z) << 23) + ONE_BITS);
        float u = b * b;
        float j = Math.fma(Math.fma(Math.fma(b, P5, P4), u, Math.fma(b, P3, P2)), u, b * P1);
        return x < LOW ? 0f : Math.fma(j, k, k);
    }
}
