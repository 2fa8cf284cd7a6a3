package dev.fovea.cli;

import dev.fovea.shapesworld.TestSet;
import java.util.List;

/** Where {@code fovea eval} sends its questions; each way gives the model's answer to every question, in order. */
interface EvalBackend {
    /** The answers to {@code set}'s questions, in their order, counting them off on {@code progress}. */
    List<String> answers(TestSet set, ConsoleProgress progress) throws Exception;

    /** The model as the report names it. */
    String model();
}
