package dev.fovea.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code fovea.gateway.*}: where the pipelines are described, the limits on what a request may carry, and the API
 * keys clients must present.
 */
@ConfigMapping(prefix = "fovea.gateway")
public interface GatewaySettings {
    /** The pipeline registry file (YAML or JSON, see docs/gateway.md). */
    String pipelines();

    /**
     * API keys (comma-separated; env {@code FOVEA_GATEWAY_API_KEYS}): when set, every {@code /v1/*} route and the
     * gRPC services (health aside) need one as {@code Authorization: Bearer <key>}. Unset: the gateway is open.
     * Several keys let a key be rotated without downtime (add the new one, move the clients, drop the old one).
     */
    Optional<List<String>> apiKeys();

    /** Refuse to start without {@link #apiKeys()}: an empty or missing Secret must not silently open the API. */
    @WithDefault("false")
    boolean apiKeysRequired();

    /** Hosts whose http(s) image URLs may be fetched; none by default (data: URLs only). */
    Optional<List<String>> imageUrlHosts();

    /** Largest request body in bytes (HTTP); larger ones get 413. */
    @WithDefault("33554432")
    int maxBodyBytes();

    @WithDefault("8")
    int maxImages();

    /** Largest encoded image in bytes. */
    @WithDefault("20971520")
    int maxImageBytes();

    /** Largest image in pixels (width × height), against decompression bombs. */
    @WithDefault("50000000")
    long maxImagePixels();

    /** Messages in one request (OpenAI's own limit is 2048). */
    @WithDefault("2048")
    int maxMessages();

    /**
     * Characters of message text per position of the model's context: text longer than context × this is refused
     * before it is rendered or tokenized (no tokenizer packs more characters into one token in ordinary text).
     */
    @WithDefault("16")
    int maxPromptCharsPerToken();

    /** Completion tokens when a request gives no max_tokens (cut to what the context leaves). */
    @WithDefault("256")
    int defaultMaxTokens();

    /** Deadline of the unary backend calls (Describe, Tokenize, Encode, Project). */
    @WithDefault("60s")
    Duration backendTimeout();

    /** Deadline of a whole generation stream. */
    @WithDefault("10m")
    Duration generateTimeout();

    @WithDefault("10s")
    Duration imageFetchTimeout();
}
