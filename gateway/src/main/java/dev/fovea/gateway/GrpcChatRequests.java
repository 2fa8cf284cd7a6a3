package dev.fovea.gateway;

import dev.fovea.engine.template.ChatMessage;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ContentPart;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/** The gRPC form of a chat request to the orchestrator's, and its errors back to gRPC statuses. */
final class GrpcChatRequests {
    private GrpcChatRequests() {
    }

    static ChatCompletionRequest toRequest(ChatRequest r, int defaultMaxTokens) {
        List<ChatMessage> messages = new ArrayList<>();
        List<ImageSource> images = new ArrayList<>();
        for (dev.fovea.proto.v1.ChatMessage m : r.getMessagesList()) {
            if (m.getRole().isBlank()) {
                throw ApiException.badRequest("every message needs a role", "messages.role", "invalid_value");
            }
            List<ChatMessage.Part> parts = new ArrayList<>();
            for (ContentPart p : m.getContentList()) {
                switch (p.getPartCase()) {
                    case TEXT -> parts.add(new ChatMessage.Text(p.getText()));
                    case IMAGE -> {
                        images.add(p.getImage().hasData() ? ImageSource.ofBytes(p.getImage().getData().toByteArray())
                                : ImageSource.ofUrl(p.getImage().getUrl()));
                        parts.add(new ChatMessage.Image(images.size() - 1));
                    }
                    case PART_NOT_SET -> throw ApiException.badRequest("a content part has neither text nor image",
                            "messages.content", "invalid_value");
                }
            }
            if (parts.isEmpty()) {
                parts.add(new ChatMessage.Text(""));
            }
            messages.add(new ChatMessage(m.getRole().equals("developer") ? "system" : m.getRole(), parts));
        }
        SamplingParams sampling = new SamplingParams(r.hasTemperature() ? r.getTemperature() : 1f,
                r.hasTopP() ? r.getTopP() : 1f, r.hasSeed() ? r.getSeed() : null);
        return new ChatCompletionRequest(r.getModel(), messages, images, sampling,
                r.getMaxTokens() > 0 ? r.getMaxTokens() : defaultMaxTokens, r.getStopList(),
                r.getEncoders().isBlank() ? null : r.getEncoders(), r.getReturnTokenIds());
    }

    static RuntimeException status(ApiException e) {
        Status s = switch (e.status()) {
            case 400, 413 -> Status.INVALID_ARGUMENT;
            case 404 -> Status.NOT_FOUND;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
        return s.withDescription(e.getMessage()).asRuntimeException();
    }
}
