package dev.fovea.gateway.backend;

import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.LlmInfo;
import dev.fovea.proto.v1.LlmServiceGrpc;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each LLM serves (template, special tokens), asked once per pipeline's replica set (its replicas serve one
 * model); a failure is not cached.
 */
@ApplicationScoped
public class LlmDescriptions {
    private final BackendCalls calls;
    private final Map<List<String>, CompletableFuture<LlmInfo>> cache = new ConcurrentHashMap<>();

    LlmDescriptions(BackendCalls calls) {
        this.calls = calls;
    }

    public CompletableFuture<LlmInfo> get(List<String> llm) {
        return cache.computeIfAbsent(llm, a -> {
            CompletableFuture<LlmInfo> f = calls.anyLlm(a, LlmServiceGrpc.getDescribeMethod(),
                    DescribeLlmRequest.getDefaultInstance());
            f.whenComplete((info, error) -> {
                if (error != null) {
                    cache.remove(a, f);
                }
            });
            return f;
        });
    }
}
