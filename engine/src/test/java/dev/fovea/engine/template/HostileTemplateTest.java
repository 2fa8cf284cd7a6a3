package dev.fovea.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Chat templates come from downloaded files: a template made to run forever or to fill the heap must fail as a
 * {@link TemplateException} in bounded time, and the next render must work.
 */
class HostileTemplateTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);
    private static final List<ChatMessage> HELLO = List.of(ChatMessage.text("user", "hello"));

    @ParameterizedTest
    @ValueSource(strings = {
            // 10^12 iterations with empty bodies
            "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}{% endfor %}{% endfor %}{% endfor %}",
            // 10^10 iterations that each look something up
            "{% for a in range(100000) %}{% for b in range(100000) %}{% set x = b %}{% endfor %}{% endfor %}",
            // one flat loop as long as the range limit allows, nested in another
            "{% for a in range(1000000000) %}{% for b in range(1000000000) %}{{ '' }}{% endfor %}{% endfor %}",
    })
    void aTemplateThatLoopsForeverStopsAtTheTimeLimit(String source) {
        ChatTemplate t = ChatTemplate.of(source, "<s>", "</s>");
        long start = System.nanoTime();
        assertThatThrownBy(() -> t.render(HELLO, true)).isInstanceOf(TemplateException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception").doesNotContain("java."))
                .hasMessageContaining("limit");
        assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
        assertThat(ChatTemplate.chatMl("<s>", "</s>").render(HELLO, true)).contains("hello");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // output doubling past the output limit
            "{% for a in range(100) %}{% for b in range(1000000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}{% endfor %}",
            // a string grown by doubling
            "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
            // a list grown without bound
            "{% set l = [] %}{% for i in range(100000000) %}{% do l.append(i) %}{% endfor %}{{ l|length }}",
            // string repetition
            "{{ 'x' * 2000000000 }}",
    })
    void aTemplateThatGrowsWithoutBoundFailsWithinLimits(String source) {
        ChatTemplate t = ChatTemplate.of(source, "<s>", "</s>");
        long start = System.nanoTime();
        assertThatThrownBy(() -> t.render(HELLO, true)).isInstanceOf(TemplateException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception").doesNotContain("java."));
        assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
    }

    @Test
    void unboundedMacroRecursionStopsAtTheDepthLimit() {
        // Jinjava reports the depth as a non-fatal error and renders the rest: bounded, if not refused
        ChatTemplate t = ChatTemplate.of("{% macro f(n) %}x{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "<s>", "</s>");
        long start = System.nanoTime();
        try {
            assertThat(t.render(HELLO, true).length()).isLessThanOrEqualTo(1000);
        } catch (TemplateException e) {
            assertThat(e.getMessage()).doesNotContain("Exception");
        }
        assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
    }

    @Test
    void aLongButFiniteConversationStillRenders() {
        List<ChatMessage> many = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(ChatMessage.text(i % 2 == 0 ? "user" : "assistant", "message " + i));
        }
        String out = ChatTemplate.chatMl("<s>", "</s>").render(many, true);
        assertThat(out).contains("message 4999").endsWith("<|im_start|>assistant\n");
    }
}
