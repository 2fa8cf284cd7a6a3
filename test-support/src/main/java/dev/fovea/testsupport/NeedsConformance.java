package dev.fovea.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that reads {@code ../shared/conformance} (llama.cpp's reference outputs and the
 * models they were made with). On a checkout with nothing beside it the test is skipped with one line saying so;
 * with {@code -Dfovea.conformance.required=true} (CI) it runs regardless, and fails where the folder is missing.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(ConformanceCondition.class)
public @interface NeedsConformance {
}
