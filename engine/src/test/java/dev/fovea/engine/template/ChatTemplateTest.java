package dev.fovea.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.PromptAssembler;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.testsupport.NeedsConformance;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatMessage> CHAT = List.of(
            ChatMessage.text("system", "You are terse."),
            ChatMessage.text("user", "Hi"),
            ChatMessage.text("assistant", "Hello."),
            ChatMessage.text("user", "Name a colour."));

    // templates typed from the models' published formats
    private static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    private static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    private static final String GEMMA = "{{ bos_token }}{% for message in messages %}"
            + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
            + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

    @NeedsConformance
    @Test
    void phi3TemplateFromTheFixtureVocab() throws Exception {
        try (GgufFile f = GgufFile.open(Conformance.file("tokenizer/ggml-vocab-phi-3.gguf"))) {
            ChatTemplate t = ChatTemplate.of(f.getString("tokenizer.chat_template", null), "<s>", "<|endoftext|>");
            String out = t.render(List.of(ChatMessage.text("user", "Hi"), ChatMessage.text("assistant", "Hello."),
                    ChatMessage.text("user", "Bye")), true);
            assertThat(out).startsWith("<s><|user|>\nHi<|end|>\n<|assistant|>\nHello.<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n");
            // the template's BOS text is not doubled and its markers are single tokens
            Tokenizer tok = Tokenizer.fromGguf(f);
            List<Segment> input = PromptAssembler.assemble(tok, out, List.of());
            int[] ids = ((Segment.Tokens) input.getFirst()).ids();
            assertThat(ids[0]).isEqualTo(tok.bosId());
            assertThat(ids[1]).isEqualTo(tok.tokenId("<|user|>"));
            assertThat(java.util.Arrays.stream(ids).filter(i -> i == tok.bosId()).count()).isEqualTo(1);
        }
    }

    @Test
    void chatMlFallbackAndLlama3() {
        assertThat(ChatTemplate.chatMl("", "").render(CHAT.subList(0, 2), true)).isEqualTo(
                "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(ChatTemplate.of(LLAMA3, "<|begin_of_text|>", "<|eot_id|>").render(CHAT.subList(0, 2), true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama2WithSystemPromptAndItsRoleCheck() {
        ChatTemplate t = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        assertThat(t.render(CHAT, true)).isEqualTo(
                "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi [/INST] Hello. </s><s>[INST] Name a colour. [/INST]");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.text("assistant", "x")), true))
                .isInstanceOf(TemplateException.class).hasMessageContaining("must alternate");
    }

    @Test
    void gemmaRenamesTheAssistantAndPythonStringMethodsWork() {
        assertThat(ChatTemplate.of(GEMMA, "<bos>", "<eos>").render(CHAT.subList(1, 3), true)).isEqualTo(
                "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n<start_of_turn>model\n");
        String py = "{% for m in messages %}{% if m['content'].startswith('Hi') %}{{ m['content'].upper() }}{% endif %}{% endfor %}";
        assertThat(ChatTemplate.of(py, "", "").render(CHAT, false)).isEqualTo("HI");
    }

    @NeedsConformance
    @Test
    void imagesBecomeMarkersAndThenEmbeddingSegments() throws Exception {
        ChatMessage user = new ChatMessage("user", List.of(new ChatMessage.Image(0), new ChatMessage.Text("\nWhat is this?")));
        String rendered = ChatTemplate.chatMl("", "").render(List.of(user), true);
        assertThat(rendered).contains("<|im_start|>user\n" + ChatTemplate.IMAGE_MARKER + "\nWhat is this?");
        try (GgufFile f = GgufFile.open(Conformance.file("tokenizer/ggml-vocab-llama-spm.gguf"))) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            Segment.Embeddings img = new Segment.Embeddings(new float[8], 2);
            List<Segment> s = PromptAssembler.assemble(tok, rendered, List.of(img));
            assertThat(s).hasSize(3);
            assertThat(s.get(1)).isSameAs(img);
            assertThatThrownBy(() -> PromptAssembler.assemble(tok, rendered, List.of()))
                    .hasMessageContaining("1 image places for 0 images");
        }
    }

    @Test
    void unsupportedSyntaxIsAClearError() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.nosuch(1) }}{% endfor %}", "", "")
                .render(CHAT, true)).isInstanceOf(TemplateException.class).hasMessageContaining("unsupported");
    }
}
