package dev.fovea.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorExpTest {
    private static float[] inputs() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (-rnd.nextDouble() * 100);
        }
        float[] edges = {0f, -0f, -1f, -1e-30f, -86.9f, -87f, -87.3f, -88f, -200f, -0.34657359f,
                Float.NEGATIVE_INFINITY, -Float.MIN_VALUE};
        System.arraycopy(edges, 0, x, 0, edges.length);
        return x;
    }

    @Test
    void everyLaneHasTheBitsOfTheScalarPathAtEveryWidth() {
        float[] x = inputs();
        for (VectorSpecies<Float> sp : java.util.List.of(FloatVector.SPECIES_128, FloatVector.SPECIES_256,
                FloatVector.SPECIES_PREFERRED)) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i += sp.length()) {
                VectorExp.expNonPositive(FloatVector.fromArray(sp, x, i)).intoArray(out, i);
            }
            for (int i = 0; i < x.length; i++) {
                assertThat(Float.floatToRawIntBits(out[i])).as("e^%s at %d lanes", x[i], sp.length())
                        .isEqualTo(Float.floatToRawIntBits(VectorExp.expNonPositive(x[i])));
            }
        }
    }

    @Test
    void withinTwoUlpOfMathExpOverTheUsefulRange() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (-rnd.nextDouble() * 87);
            double want = Math.exp(x);
            float got = VectorExp.expNonPositive(x);
            assertThat(Math.abs(got - want)).as("e^%s", x).isLessThanOrEqualTo(2 * Math.ulp((float) want));
        }
    }

    @Test
    void isZeroBelowTheNormalRange() {
        assertThat(VectorExp.expNonPositive(-88f)).isZero();
        assertThat(VectorExp.expNonPositive(-1000f)).isZero();
        assertThat(VectorExp.expNonPositive(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(VectorExp.expNonPositive(-87f)).isPositive();
        assertThat(VectorExp.expNonPositive(0f)).isEqualTo(1f);
        assertThat(VectorExp.expNonPositive(Float.NaN)).isNaN();
    }

    @Test
    void softmaxSumsToOneAndDoesNotDependOnWhereTheRowStarts() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n : new int[] {1, 3, 7, 8, 9, 31, 100, 513}) {
            float[] row = new float[n];
            for (int i = 0; i < n; i++) {
                row[i] = (float) (rnd.nextGaussian() * 8);
            }
            float[] a = row.clone();
            Softmax.inPlace(a, 0, n);
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (float v : row) {
                max = Math.max(max, v);
            }
            double z = 0;
            for (float v : row) {
                z += Math.exp(v - max);
            }
            for (int i = 0; i < n; i++) {
                sum += a[i];
                assertThat((double) a[i]).isCloseTo(Math.exp(row[i] - max) / z, org.assertj.core.data.Offset.offset(1e-6));
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            for (int shift = 1; shift < 5; shift++) {
                float[] b = new float[n + shift];
                System.arraycopy(row, 0, b, shift, n);
                Softmax.inPlace(b, shift, n);
                for (int i = 0; i < n; i++) {
                    assertThat(Float.floatToRawIntBits(b[shift + i])).isEqualTo(Float.floatToRawIntBits(a[i]));
                }
            }
        }
    }

    @Test
    void swigluMatchesItsScalarFormAcrossTheVectorTail() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 1003;
        float[] gate = new float[n];
        float[] up = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = (float) (rnd.nextGaussian() * 6);
            up[i] = (float) rnd.nextGaussian();
        }
        float[] g = gate.clone();
        Activations.swiglu(g, up, n);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(g[i])).isEqualTo(Float.floatToRawIntBits(Activations.silu(gate[i]) * up[i]));
            double want = gate[i] / (1 + Math.exp(-(double) gate[i])) * up[i];
            assertThat((double) g[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(want))));
        }
    }
}
