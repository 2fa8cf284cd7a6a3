package dev.fovea.cli;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.template.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-turn chat through the model's template, as {@code generate} and {@code eval} put it together: an optional
 * system message, then a user message with each image followed by a line break, then the text.
 */
final class ChatInput {
    private ChatInput() {
    }

    static List<Segment> userTurn(LanguageModel lm, String system, List<VisionModel.PromptImage> images, String text) {
        return lm.chatInputPlaced(messages(system, images.size(), text), images);
    }

    /** The messages of such a turn, with {@code images} image slots (for templates rendered without the engine). */
    static List<ChatMessage> messages(String system, int images, String text) {
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.text("system", system));
        }
        List<ChatMessage.Part> parts = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            parts.add(new ChatMessage.Image(i));
            parts.add(new ChatMessage.Text("\n"));
        }
        parts.add(new ChatMessage.Text(text));
        messages.add(new ChatMessage("user", parts));
        return messages;
    }

    /** Refuses an mmproj whose projector does not output the LLM's embedding width. */
    static void checkFits(VisionModel vm, LanguageModel lm) {
        if (vm.projector().outputDim() != lm.decoder().config().embd()) {
            throw new IllegalArgumentException("the mmproj's projector outputs " + vm.projector().outputDim()
                    + " values per token; the model takes " + lm.decoder().config().embd());
        }
    }
}
