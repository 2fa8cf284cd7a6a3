package dev.fovea.gateway.openai;

import dev.fovea.engine.template.ChatMessage;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ImageSource;
import dev.fovea.gateway.chat.SamplingParams;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ContentPart;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;

/** The gRPC form of a chat request to the orchestrator's, and its errors back to gRPC statuses. */
public final class GrpcChatRequests {
    /** The trailer that carries a failed call's request id (as the HTTP API's X-Request-Id header does). */
    public static final Metadata.Key<String> REQUEST_ID =
            Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    /** Longest status description: a description rides in a header, which has a size limit of its own. */
    private static final int MAX_DESCRIPTION = 2048;

    private GrpcChatRequests() {
    }

    /** @param maxMessages the most messages a request may hold (fovea.gateway.max-messages) */
    public static ChatCompletionRequest toRequest(ChatRequest r, int maxMessages) {
        if (r.getMessagesCount() > maxMessages) {
            throw ApiException.badRequest("messages holds " + r.getMessagesCount() + " messages; at most "
                    + maxMessages + " are allowed (fovea.gateway.max-messages)", "messages", "too_many_messages");
        }
        if (r.getMaxTokens() < 0) {
            throw ApiException.badRequest("max_tokens must be at least 1 (0 or unset: the gateway's default)",
                    "max_tokens", "invalid_value");
        }
        List<ChatMessage> messages = new ArrayList<>();
        List<ImageSource> images = new ArrayList<>();
        for (int i = 0; i < r.getMessagesCount(); i++) {
            dev.fovea.proto.v1.ChatMessage m = r.getMessages(i);
            String param = "messages[" + i + "]";
            String role = ChatRoles.normalize(m.getRole(), param + ".role");
            List<ChatMessage.Part> parts = new ArrayList<>();
            for (int k = 0; k < m.getContentCount(); k++) {
                ContentPart p = m.getContent(k);
                switch (p.getPartCase()) {
                    case TEXT -> parts.add(OpenAiRequestParser.text(p.getText(), param + ".content[" + k + "]"));
                    case IMAGE -> {
                        images.add(p.getImage().hasData() ? ImageSource.ofBytes(p.getImage().getData().toByteArray())
                                : ImageSource.ofUrl(p.getImage().getUrl()));
                        parts.add(new ChatMessage.Image(images.size() - 1));
                    }
                    case PART_NOT_SET -> throw ApiException.badRequest(param + ".content[" + k
                            + "] has neither text nor image", param + ".content", "invalid_value");
                }
            }
            if (parts.isEmpty()) {
                parts.add(new ChatMessage.Text(""));
            }
            messages.add(new ChatMessage(role, parts));
        }
        SamplingParams sampling = new SamplingParams(r.hasTemperature() ? r.getTemperature() : 1f,
                r.hasTopP() ? r.getTopP() : 1f, r.hasSeed() ? r.getSeed() : null);
        return new ChatCompletionRequest(r.getModel(), messages, images, sampling,
                r.getMaxTokens() > 0 ? Long.valueOf(r.getMaxTokens()) : null, r.getStopList(),
                r.getEncoders().isBlank() ? null : r.getEncoders(), r.getReturnTokenIds());
    }

    public static RuntimeException status(ApiException e) {
        return status(e, null);
    }

    /** The status a failure is answered with; its description is plain text, bounded, and names no Java class. */
    static StatusRuntimeException status(ApiException e, String requestId) {
        Status s = switch (e.status()) {
            case 400, 413 -> Status.INVALID_ARGUMENT;
            case 401 -> Status.UNAUTHENTICATED;
            case 404 -> Status.NOT_FOUND;
            case 408 -> Status.DEADLINE_EXCEEDED;
            case 429 -> Status.RESOURCE_EXHAUSTED;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
        String message = InternalNames.scrub(e.getMessage());
        if (message.length() > MAX_DESCRIPTION) {
            message = message.substring(0, MAX_DESCRIPTION) + "…";
        }
        Metadata trailers = new Metadata();
        if (requestId != null) {
            trailers.put(REQUEST_ID, requestId);
        }
        return s.withDescription(message).asRuntimeException(trailers);
    }
}
