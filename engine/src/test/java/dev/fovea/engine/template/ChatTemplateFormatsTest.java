package dev.fovea.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chat templates of common model families, typed from their published format, render as Transformers would. */
class ChatTemplateFormatsTest {
    static final ChatMessage SYSTEM = ChatMessage.text("system", "You are helpful.");
    static final ChatMessage USER = ChatMessage.text("user", " Hi! ");
    static final ChatMessage ASSISTANT = ChatMessage.text("assistant", "Hello.");
    static final ChatMessage USER2 = ChatMessage.text("user", "What is 2+2?");

    static String resource(String name) {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void llama2PutsTheSystemPromptIntoTheFirstInstruction() {
        ChatTemplate t = ChatTemplate.of(resource("llama2.jinja"), "<s>", "</s>");
        assertThat(t.render(List.of(SYSTEM, USER, ASSISTANT, USER2), true)).isEqualTo(
                "<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\n Hi! [/INST] Hello. </s>"
                        + "<s>[INST] What is 2+2? [/INST]");
        assertThat(t.render(List.of(USER), true)).isEqualTo("<s>[INST] Hi! [/INST]");
        assertThatThrownBy(() -> t.render(List.of(USER, USER2), true)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void llama3TrimsContentAndAddsTheAssistantHeader() {
        ChatTemplate t = ChatTemplate.of(resource("llama3.jinja"), "<|begin_of_text|>", "<|eot_id|>");
        assertThat(t.render(List.of(SYSTEM, USER), true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(t.render(List.of(USER), false)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>");
    }

    @Test
    void qwen2MultiLineTemplateHonoursWhitespaceControl() {
        ChatTemplate t = ChatTemplate.of(resource("qwen2.jinja"), "", "<|im_end|>");
        assertThat(t.render(List.of(SYSTEM, USER), true)).isEqualTo(
                "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n Hi! <|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(t.render(List.of(USER2), false)).isEqualTo(
                "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n");
    }

    @Test
    void mistralRejectsASystemRole() {
        ChatTemplate t = ChatTemplate.of(resource("mistral.jinja"), "<s>", "</s>");
        assertThat(t.render(List.of(USER, ASSISTANT, USER2), true))
                .isEqualTo("<s>[INST]  Hi!  [/INST]Hello.</s>[INST] What is 2+2? [/INST]");
        assertThatThrownBy(() -> t.render(List.of(SYSTEM, USER), true)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("rejected the conversation");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.text("tool", "x")), true))
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void gemmaCallsTheAssistantModel() {
        ChatTemplate t = ChatTemplate.of(resource("gemma.jinja"), "<bos>", "<eos>");
        assertThat(t.render(List.of(USER, ASSISTANT), true)).isEqualTo(
                "<bos><start_of_turn>user\nHi!<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n"
                        + "<start_of_turn>model\n");
        assertThatThrownBy(() -> t.render(List.of(SYSTEM, USER), true))
                .hasMessageContaining("System role not supported");
    }

    @Test
    void chatMlFallback() {
        ChatTemplate t = ChatTemplate.chatMl("<s>", "</s>");
        assertThat(t.isFallback()).isTrue();
        assertThat(t.render(List.of(SYSTEM, USER), true)).isEqualTo(
                "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n Hi! <|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(t.render(List.of(USER), false)).isEqualTo("<|im_start|>user\n Hi! <|im_end|>\n");
    }

    @Test
    void pythonStringMethods() {
        String src = "{% for m in messages %}"
                + "{{ m.content.strip() }}|{{ m.content.lstrip() }}|{{ m.content.rstrip() }}|"
                + "{{ m.content.strip(' !H') }}|{{ m.content.startswith(' Hi') }}|{{ m.content.endswith(('x', '! ')) }}|"
                + "{{ m.content.upper() }}|{{ m.content.lower() }}|{{ 'hello wORLD'.title() }}|"
                + "{{ 'a b  c'.split() | length }}|{{ 'a,b,,c'.split(',') | join('+') }}|{{ 'a b c'.split(' ', 1)[1] }}|"
                + "{{ '-'.join(['x', 'y', 'z']) }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'abcabc'.count('bc') }}|"
                + "{{ 'abc'.find('c') }}|{{ 'l1\\nl2\\n'.splitlines() | length }}|{{ 'hello'.capitalize() }}"
                + "{% endfor %}";
        ChatTemplate t = ChatTemplate.of(src, "", "");
        assertThat(t.render(List.of(USER), false)).isEqualTo(
                "Hi!|Hi! | Hi!|i|true|true| HI! | hi! |Hello World|3|a+b++c|b c|x-y-z|bba|2|2|2|Hello");
    }

    @Test
    void jinjaFeaturesTemplatesRelyOn() {
        String src = "{% set ns = namespace(found=false) %}{% for m in messages %}"
                + "{% if m.role == 'assistant' %}{% set ns.found = true %}{% endif %}"
                + "{{ loop.index }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{% endfor %}"
                + "|{{ ns.found }}|{{ messages[1:] | length }}|{{ messages[-1]['role'] }}|{{ messages[0].content is string }}"
                + "|{{ tools is defined }}|{{ messages | selectattr('role', 'equalto', 'user') | list | length }}"
                + "|{{ messages[0].get('missing', 'dflt') }}|{{ 'x' if add_generation_prompt else 'y' }}";
        ChatTemplate t = ChatTemplate.of(src, "", "");
        assertThat(t.render(List.of(SYSTEM, USER, ASSISTANT), true)).isEqualTo("1F23L|true|2|assistant|true|false|1|dflt|x");
    }

    @Test
    void strftimeFormatsPythonDirectives() {
        var t = java.time.ZonedDateTime.of(2024, 7, 26, 15, 4, 5, 0, java.time.ZoneOffset.UTC);
        assertThat(TemplateFunctions.strftime("%d %b %Y", t)).isEqualTo("26 Jul 2024");
        assertThat(TemplateFunctions.strftime("%A %B %y %H:%M:%S %I%p %j %%", t))
                .isEqualTo("Friday July 24 15:04:05 03PM 208 %");
        String today = ChatTemplate.of("{{ strftime_now('%Y') }}", "", "").render(List.of(USER), false);
        assertThat(today).matches("\\d{4}");
    }

    @Test
    void unsupportedConstructsFailClearly() {
        assertThatThrownBy(() -> ChatTemplate.of("{% generation %}x{% endgeneration %}", "", ""))
                .isInstanceOf(TemplateException.class).hasMessageContaining("generation");
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.content.nosuch(1) }}{% endfor %}", "", "")
                .render(List.of(USER), false))
                .isInstanceOf(TemplateException.class).hasMessageContaining("nosuch");
        assertThatThrownBy(() -> ChatTemplate.of("{% if %}", "", "")).isInstanceOf(TemplateException.class);
        assertThatThrownBy(() -> ChatTemplate.of("  ", "", "")).isInstanceOf(TemplateException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ChatTemplate.of("{{ raise_exception('no tools here') }}", "", "")
                .render(List.of(USER), false))
                .isInstanceOf(TemplateException.class).hasMessage(
                        "the chat template rejected the conversation: no tools here");
    }
}
