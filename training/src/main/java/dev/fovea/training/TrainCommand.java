package dev.fovea.training;

import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Quantizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** {@code fovea train shapesworld --variant a}: trains a ShapesWorld model and writes its GGUF pair. */
@CommandLine.Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains the ShapesWorld vision-language models (DJL on PyTorch, CPU).",
        subcommands = {TrainCommand.ShapesWorldCommand.class, TrainCommand.ChartCommand.class})
public final class TrainCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @CommandLine.Command(name = "shapesworld", mixinStandardHelpOptions = true,
            description = "Trains one variant on ShapesWorld pictures and writes NAME.gguf + NAME-mmproj.gguf, "
                    + "loss.csv and loss.png into --out.")
    static final class ShapesWorldCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = "--variant", defaultValue = "a",
                description = "a = LLaVA-style (one encoder, mlp adapter), b = a with LLaVA-1.6 high-resolution "
                        + "tiles, c = SPHINX-style (two encoders, fusion "
                        + "adapter), d = BLIP-style (linear adapter), e = Qwen-VL-style (resampler adapter) (default: "
                        + "${DEFAULT-VALUE}).")
        String variant;

        @CommandLine.Option(names = "--seed", defaultValue = "1", description = "Seed of the data and the initial weights.")
        long seed;

        @CommandLine.Option(names = "--steps", description = "Instruction-stage steps (default: the recipe's).")
        Integer steps;

        @CommandLine.Option(names = "--caption-steps",
                description = "Alignment-stage (caption) steps before the questions (default: the recipe's).")
        Integer captionSteps;

        @CommandLine.Option(names = "--learning-rate",
                description = "Peak learning rate of the warm-up and cosine schedule (default: the recipe's, 3e-4).")
        Float learningRate;

        @CommandLine.Option(names = {"-o", "--out"}, required = true, description = "Output folder.")
        Path out;

        @CommandLine.Option(names = "--name", description = "File name stem (default: shapesworld-VARIANT).")
        String name;

        @CommandLine.Option(names = "--type", defaultValue = "f16", description = "Matrix type: f32, f16, q8_0.")
        String type;

        @Override
        public Integer call() throws Exception {
            if (steps != null && steps < 1 || captionSteps != null && captionSteps < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--steps must be at least 1 and --caption-steps at least 0");
            }
            if (learningRate != null && !(learningRate > 0 && learningRate < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--learning-rate must be above 0 and below 1, not " + learningRate);
            }
            TrainingRecipe recipe = TrainingRecipe.of(variant, seed);
            recipe = recipe.withSteps(captionSteps != null ? captionSteps : recipe.alignmentSteps(),
                    steps != null ? steps : recipe.instructionSteps());
            if (learningRate != null) {
                recipe = recipe.withLearningRate(learningRate);
            }
            GgmlType t;
            try {
                t = Quantizer.writableType(type);
                GgufModelWriter.checkType(t); // now, not at the first checkpoint
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--type: " + e.getMessage());
            }
            new ShapesWorldTrainer(recipe, out, name != null ? name : "shapesworld-" + variant, t, System.err).run();
            return 0;
        }
    }

    @CommandLine.Command(name = "chart", mixinStandardHelpOptions = true,
            description = "Draws the loss curve of a loss.csv (e.g. of a run stopped at a checkpoint) as a PNG.")
    static final class ChartCommand implements Callable<Integer> {
        @CommandLine.Option(names = "--csv", required = true, description = "loss.csv of a training run.")
        Path csv;

        @CommandLine.Option(names = {"-o", "--out"}, required = true, description = "PNG to write.")
        Path out;

        @CommandLine.Option(names = "--title", defaultValue = "ShapesWorld training loss", description = "Chart title.")
        String title;

        @Override
        public Integer call() throws Exception {
            LossChart.writeFromCsv(csv, out, title);
            return 0;
        }
    }

    public static void main(String[] args) {
        // the native PyTorch library comes from the jars on the class path: DJL must never try to download it
        System.setProperty("ai.djl.offline", "true");
        System.exit(new CommandLine(new TrainCommand()).execute(args));
    }
}
