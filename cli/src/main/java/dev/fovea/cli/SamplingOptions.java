package dev.fovea.cli;

import dev.fovea.engine.sampling.SamplerConfig;
import picocli.CommandLine.Option;

/** Sampling flags, named as llama.cpp names them. */
final class SamplingOptions {
    @Option(names = {"--temperature", "--temp"}, defaultValue = "0.8", description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k, 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p, 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Min-p, 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty, 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "Tokens the penalty looks back (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    SamplerConfig toConfig() {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, 0f, 0f, repeatLastN, seed);
    }
}
