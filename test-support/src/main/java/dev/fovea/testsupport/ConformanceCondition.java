package dev.fovea.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs {@link NeedsConformance} tests only where the conformance fixtures are present (or CI requires them). */
final class ConformanceCondition implements ExecutionCondition {
    /** Each skipped class or method is reported once, though JUnit evaluates the condition per container and test. */
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Path dir = SharedFixtures.conformanceDir();
        if (Files.isDirectory(dir)) {
            return ConditionEvaluationResult.enabled("conformance fixtures at " + dir);
        }
        if (Boolean.getBoolean("fovea.conformance.required")) {
            return ConditionEvaluationResult.enabled("fovea.conformance.required is set, so the test runs and fails"
                    + " without " + dir);
        }
        String what = context.getTestMethod().map(m -> context.getRequiredTestClass().getSimpleName() + "."
                + m.getName()).orElse(context.getRequiredTestClass().getSimpleName());
        String reason = "needs ../shared/conformance (llama.cpp's reference outputs), not found at " + dir;
        // a skipped class also asks for its methods; report the class alone
        boolean classAlreadySkipped = context.getTestMethod().isPresent()
                && REPORTED.contains(context.getRequiredTestClass().getSimpleName());
        if (!classAlreadySkipped && REPORTED.add(what)) {
            System.out.println("[skipped] " + what + ": " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
