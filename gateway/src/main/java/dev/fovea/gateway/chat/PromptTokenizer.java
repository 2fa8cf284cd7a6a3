package dev.fovea.gateway.chat;

import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.backend.BackendCalls;
import dev.fovea.proto.v1.LlmInfo;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.TokenizeRequest;
import dev.fovea.proto.v1.TokenizeResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Tokenizes a rendered prompt at the LLM service, piece by piece between image markers, exactly as the engine's
 * {@code PromptAssembler} does locally: a BOS the template wrote as text is dropped when the vocabulary adds one
 * (so it is not doubled), the first piece gets special tokens added, every piece has its special tokens parsed.
 */
@ApplicationScoped
class PromptTokenizer {
    private static final Pattern MARKER = Pattern.compile(Pattern.quote(ChatTemplate.IMAGE_MARKER));

    private final BackendCalls calls;

    PromptTokenizer(BackendCalls calls) {
        this.calls = calls;
    }

    /** The token ids of each text piece; image {@code k} goes between piece {@code k} and {@code k + 1}. */
    CompletableFuture<List<int[]>> tokenize(List<String> llm, LlmInfo info, String rendered, int images) {
        String text = rendered;
        if (info.getAddBos() && !info.getBosToken().isEmpty() && text.startsWith(info.getBosToken())) {
            text = text.substring(info.getBosToken().length());
        }
        String[] pieces = MARKER.split(text, -1);
        if (pieces.length - 1 != images) {
            throw ApiException.badRequest("the chat template placed " + (pieces.length - 1) + " images for the "
                    + images + " given (it may drop images from some roles)", "messages", "invalid_messages");
        }
        List<CompletableFuture<int[]>> parts = new ArrayList<>();
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0 && pieces[i].isEmpty()) {
                parts.add(CompletableFuture.completedFuture(new int[0]));
                continue;
            }
            parts.add(calls.anyLlm(llm, LlmServiceGrpc.getTokenizeMethod(), TokenizeRequest.newBuilder()
                    .setText(pieces[i]).setAddSpecial(i == 0).setParseSpecial(true).build())
                    .thenApply(PromptTokenizer::ids));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
    }

    private static int[] ids(TokenizeResponse r) {
        return r.getIdsList().stream().mapToInt(Integer::intValue).toArray();
    }
}
