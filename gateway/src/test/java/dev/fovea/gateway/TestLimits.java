package dev.fovea.gateway;

/** The request limits the test gateway runs with (small, so tests can exceed them cheaply). */
final class TestLimits {
    static final int MAX_BODY = 1 << 20;
    static final int MAX_IMAGES = 3;

    private TestLimits() {
    }
}
