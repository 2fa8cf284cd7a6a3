package dev.fovea.gateway.backend;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code fovea.gateway.routing.*}: how calls are spread over the replicas of each backend (docs/scaling.md). */
@ConfigMapping(prefix = "fovea.gateway.routing")
public interface RoutingSettings {
    /**
     * {@code content} (default): an image's encoder calls go to the replica its hash picks, a prompt to the LLM
     * replica that holds its prefix; {@code round-robin}: every call to the next replica in turn (for comparison).
     */
    @WithDefault("content")
    Policy policy();

    /**
     * The bound on load: a replica takes a new image (or prompt without a known prefix) only while its calls in
     * flight stay under this factor × the mean (consistent hashing with bounded loads); past it the call goes to
     * the next replica in the hash's order.
     */
    @WithDefault("1.25")
    double loadFactor();

    /**
     * A replica holding fewer calls in flight than this is never passed over for the bound: with a few calls each,
     * waiting behind them costs less than encoding an image (or prefilling a prompt) a second time elsewhere.
     */
    @WithDefault("4")
    int minLoadBound();

    /** How often host names in the pipelines are resolved again (a headless Service's ready pods). */
    @WithDefault("5s")
    Duration discoveryRefresh();

    /** How long a replica that refused a connection or failed a call is skipped before it is tried again. */
    @WithDefault("10s")
    Duration ejectFor();

    /** How often each LLM replica is asked for its running and queued sequences. */
    @WithDefault("1s")
    Duration loadPoll();

    /**
     * How often along its length a served prompt is remembered in the prefix index, in items (token ids; an image is
     * one item); its end is always remembered.
     */
    @WithDefault("16")
    int prefixBlockTokens();

    /** Prompt prefixes the prefix index remembers (least recently used go first). */
    @WithDefault("500000")
    long prefixIndexSize();

    enum Policy {
        CONTENT, ROUND_ROBIN
    }
}
