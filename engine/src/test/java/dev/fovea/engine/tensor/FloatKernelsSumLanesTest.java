package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The 16-at-once lane sum must give each accumulator exactly the bits of the one-at-a-time lane sum, and the 8-lane
 * form of the dot product the bits of the 16-lane one.
 */
class FloatKernelsSumLanesTest {
    @Test
    void sixteenLaneSumsAtOnceMatchOneByOne() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] lanes = new float[16];
        float[] got = new float[16];
        for (int trial = 0; trial < 2000; trial++) {
            FloatVector[] m = new FloatVector[16];
            float[] packed = new float[16 * 16];
            for (int a = 0; a < 16; a++) {
                for (int l = 0; l < 16; l++) {
                    // magnitudes over many binades, so that a different addition order would show in the bits
                    lanes[l] = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-20, 21)));
                }
                m[a] = FloatVector.fromArray(FloatVector.SPECIES_512, lanes, 0);
                System.arraycopy(lanes, 0, packed, 16 * a, 16);
            }
            FloatKernels.sumLanes16(packed, 0, got, 0);
            for (int lane = 0; lane < 16; lane++) {
                int rev = Integer.reverse(lane) >>> 28;
                assertThat(Float.floatToRawIntBits(got[lane])).as("trial %d lane %d", trial, lane)
                        .isEqualTo(Float.floatToRawIntBits(FloatKernels.sumLanes(m[rev])));
            }
        }
    }

    /** On CPUs without 512-bit vectors the dot product runs on two 8-lane halves: it must give the same bits. */
    @Test
    void dotOnEightLaneHalvesMatchesSixteenLanes() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 500; trial++) {
            int cols = rnd.nextInt(1, 300);
            float[] w = new float[cols + 7];
            float[] x = new float[cols + 5];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-20, 21)));
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            int wo = rnd.nextInt(0, 8);
            int xo = rnd.nextInt(0, 6);
            assertThat(Float.floatToRawIntBits(FloatKernels.dotHalves(w, wo, x, xo, cols))).as("trial %d", trial)
                    .isEqualTo(Float.floatToRawIntBits(FloatKernels.dot16(w, wo, x, xo, cols)));
        }
    }
}
