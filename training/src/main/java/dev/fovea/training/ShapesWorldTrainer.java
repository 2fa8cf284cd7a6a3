package dev.fovea.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.shapesworld.Picture;
import dev.fovea.shapesworld.QuestionAnswer;
import dev.fovea.shapesworld.ShapesWorld;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Trains one ShapesWorld variant by its recipe and writes it as a GGUF pair. Pictures are drawn, preprocessed and
 * tokenized on a second thread while PyTorch runs the step; the loss of every step goes to {@code loss.csv} and,
 * at the end, {@code loss.png}. The files are also written every {@code checkpointEvery} steps, so a stopped run
 * leaves a usable model.
 */
final class ShapesWorldTrainer {
    private static final int CHECKPOINT_EVERY = 500;

    private final TrainingRecipe recipe;
    private final Path out;
    private final String name;
    private final GgmlType type;
    private final PrintStream log;

    ShapesWorldTrainer(TrainingRecipe recipe, Path out, String name, GgmlType type, PrintStream log) {
        this.recipe = recipe;
        this.out = out;
        this.name = name;
        this.type = type;
        this.log = log;
    }

    void run() throws IOException, InterruptedException {
        Files.createDirectories(out);
        VlmShape shape = recipe.shape();
        try (NDManager manager = NDManager.newBaseManager(); ShapesVlm model = new ShapesVlm(manager, shape, recipe.seed());
             PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("loss.csv")))) {
            log.printf("variant %s: %,d parameters, %d steps of %d pictures × %d questions%n", recipe.variant(),
                    model.parameters().count(), recipe.totalSteps(), recipe.batch(), recipe.questionsPerPicture());
            csv.println("step,stage,loss,token_accuracy,learning_rate,image_rms,patch_loss");
            BlockingQueue<List<TrainingExample>> queue = new ArrayBlockingQueue<>(4);
            Thread producer = Thread.ofPlatform().daemon().name("shapesworld-data").start(() -> produce(model, queue));
            AdamW optimizer = new AdamW(0.05f, 1f);
            long start = System.nanoTime();
            double smoothed = Double.NaN;
            for (int step = 0; step < recipe.totalSteps(); step++) {
                List<TrainingExample> examples = queue.take();
                float lr = recipe.learningRateAt(step);
                float loss;
                float accuracy;
                float imageRms;
                float patchLoss;
                try (NDManager s = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    TrainingBatch batch = TrainingBatch.build(s, examples, model.layout().prefix(), model.imageRows(),
                            shape, model.layout().vocab().size());
                    ShapesVlm.Forward forward = model.forward(batch);
                    NDArray logits = forward.logits();
                    NDArray lossArray = ShapesVlm.loss(logits, batch);
                    NDArray objective = recipe.imageScalePenalty() > 0 ? lossArray.add(forward.imageMeanSquare()
                            .mul(TrainingOps.scalar(lossArray, recipe.imageScalePenalty()))) : lossArray;
                    if (forward.patchLoss() != null && recipe.patchLossWeight() > 0) {
                        objective = objective.add(forward.patchLoss().mul(TrainingOps.scalar(lossArray,
                                recipe.patchLossWeight())));
                    }
                    gc.backward(objective);
                    loss = lossArray.getFloat();
                    imageRms = (float) Math.sqrt(forward.imageMeanSquare().getFloat());
                    patchLoss = forward.patchLoss() == null ? Float.NaN : forward.patchLoss().getFloat();
                    accuracy = tokenAccuracy(logits, batch);
                }
                float gradNorm = optimizer.step(model.parameters(), lr);
                smoothed = Double.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
                csv.printf("%d,%s,%.5f,%.4f,%.6f,%.3f,%.4f%n", step, recipe.stageAt(step), loss, accuracy, lr, imageRms,
                        patchLoss);
                if (step % 20 == 0 || step < 5 || !Float.isFinite(loss) || step == recipe.totalSteps() - 1) {
                    csv.flush();
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double eta = elapsed / (step + 1) * (recipe.totalSteps() - step - 1);
                    log.printf("step %5d/%d  %-11s loss %.4f (avg %.4f)  answer-token accuracy %.3f  lr %.2e  |g| %.2f  image rms %.2f  patch loss %.3f  %.2f s/step  ETA %s%n",
                            step + 1, recipe.totalSteps(), recipe.stageAt(step), loss, smoothed, accuracy, lr, gradNorm,
                            imageRms, patchLoss,
                            elapsed / (step + 1), minutes(eta));
                }
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException("the loss is " + loss + " at step " + (step + 1));
                }
                if ((step + 1) % CHECKPOINT_EVERY == 0 && step + 1 < recipe.totalSteps()) {
                    model.write(out, name, type);
                }
            }
            producer.interrupt();
            model.write(out, name, type);
            csv.flush();
            LossChart.writeFromCsv(out.resolve("loss.csv"), out.resolve("loss.png"),
                    "ShapesWorld variant " + recipe.variant() + " — training loss");
            log.printf("wrote %s.gguf and %s-mmproj.gguf in %s (%s)%n", name, name, out,
                    minutes((System.nanoTime() - start) / 1e9));
        }
    }

    /** Fraction of answer tokens the model already predicts by argmax. */
    private static float tokenAccuracy(NDArray logits, TrainingBatch batch) {
        NDArray predictedIds = logits.argMax(-1);
        NDArray targetIds = batch.targets().argMax(-1);
        NDArray hit = predictedIds.eq(targetIds).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .mul(batch.targets().sum(new int[] {-1}));
        return hit.sum().getFloat() / batch.predicted();
    }

    private void produce(ShapesVlm model, BlockingQueue<List<TrainingExample>> queue) {
        ShapesWorld world = new ShapesWorld(recipe.seed());
        SplittableRandom rng = new SplittableRandom(recipe.seed() * 31 + 7);
        PromptLayout layout = model.layout();
        try {
            for (int step = 0; step < recipe.totalSteps(); step++) {
                List<TrainingExample> batch = new ArrayList<>(recipe.batch());
                while (batch.size() < recipe.batch()) {
                    Picture picture = world.nextPicture();
                    List<QuestionAnswer> chosen = QuestionMix.choose(picture.questions(), recipe.stageAt(step),
                            recipe.questionsPerPicture(), rng);
                    if (chosen.isEmpty()) {
                        continue;
                    }
                    List<TrainingExample.QaTokens> qas = new ArrayList<>();
                    for (QuestionAnswer qa : chosen) {
                        qas.add(new TrainingExample.QaTokens(layout.question(qa.question()), layout.answer(qa.answer())));
                    }
                    PictureViews views = PictureViews.of(picture.image(), picture.objects(), recipe.shape());
                    batch.add(new TrainingExample(views.pixels(), qas, views.labels()));
                }
                queue.put(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String minutes(double seconds) {
        return String.format("%dm%02ds", (long) seconds / 60, (long) seconds % 60);
    }
}
