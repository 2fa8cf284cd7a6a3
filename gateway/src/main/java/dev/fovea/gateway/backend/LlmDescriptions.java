package dev.fovea.gateway.backend;

import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.LlmInfo;
import dev.fovea.proto.v1.LlmServiceGrpc;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** What each LLM service serves (template, special tokens), asked once per address; a failure is not cached. */
@ApplicationScoped
public class LlmDescriptions {
    private final BackendCalls calls;
    private final Map<String, CompletableFuture<LlmInfo>> cache = new ConcurrentHashMap<>();

    LlmDescriptions(BackendCalls calls) {
        this.calls = calls;
    }

    public CompletableFuture<LlmInfo> get(String address) {
        return cache.computeIfAbsent(address, a -> {
            CompletableFuture<LlmInfo> f = calls.unary("llm", a, LlmServiceGrpc.getDescribeMethod(),
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
