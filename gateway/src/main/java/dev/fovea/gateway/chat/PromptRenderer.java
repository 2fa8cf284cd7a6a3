package dev.fovea.gateway.chat;

import dev.fovea.engine.llm.LlmArchitecture;
import dev.fovea.engine.llm.LlmArchitectures;
import dev.fovea.engine.pipeline.PromptAssembler;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.engine.template.TemplateException;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.proto.v1.LlmInfo;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders the chat template of a pipeline — its override, else the LLM's own, else ChatML as the engine does — with
 * images as {@link ChatTemplate#IMAGE_MARKER}.
 */
@ApplicationScoped
class PromptRenderer {
    private final Map<List<String>, ChatTemplate> templates = new ConcurrentHashMap<>();

    String render(PipelineConfig pipeline, LlmInfo info, List<ChatMessage> messages) {
        String source = pipeline.template() != null && !pipeline.template().isBlank()
                ? pipeline.template() : info.getChatTemplate();
        ChatTemplate template = templates.computeIfAbsent(List.of(source, info.getBosToken(), info.getEosToken()),
                k -> k.get(0).isBlank() ? ChatTemplate.chatMl(k.get(1), k.get(2)) : ChatTemplate.of(k.get(0),
                        k.get(1), k.get(2)));
        try {
            String rendered = template.render(messages, true);
            // the family's image wrapper (Qwen2-VL's <|vision_start|> … <|vision_end|>), as the engine adds it
            LlmArchitecture arch = LlmArchitectures.named(info.getArchitecture());
            return arch == null ? rendered : PromptAssembler.wrapImages(rendered, arch.imageStart(), arch.imageEnd());
        } catch (TemplateException e) {
            throw ApiException.badRequest(InternalNames.scrub(e.getMessage()), "messages", "invalid_messages");
        }
    }
}
