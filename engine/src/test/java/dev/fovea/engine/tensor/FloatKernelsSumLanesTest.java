package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The 16-at-once lane sum must give each accumulator exactly the bits of the one-at-a-time lane sum. */
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
}
