package dev.fovea.gateway;

import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * The API keys of {@code fovea.gateway.api-keys} and the one check of a presented {@code Bearer} credential against
 * them, shared by the HTTP filter and the gRPC interceptor. Only SHA-256 digests are kept and compared, each with
 * {@link MessageDigest#isEqual} and without stopping at a match: the time taken says nothing about a key's content,
 * its length, or which key matched. Keys are never logged.
 */
@Startup // a gateway told to require keys and given none fails at start, not at the first request
@Singleton
public class ApiKeys {
    /** The scheme OpenAI clients send ({@code Authorization: Bearer <key>}); matched case-insensitively (RFC 9110). */
    static final String SCHEME = "bearer ";
    private static final int SHORT_KEY = 16;
    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    /** What a request's credential turned out to be. */
    public enum Verdict {
        /** A configured key, or no keys configured at all. */
        ACCEPTED,
        /** No {@code Bearer} credential. */
        MISSING,
        /** A credential that is not one of the keys. */
        INVALID;

        /** The metric tag. */
        public String reason() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The OpenAI-style 401 a refused request gets. */
        public ApiException error() {
            return switch (this) {
                case MISSING -> ApiException.unauthorized("no API key given: send it as 'Authorization: Bearer <key>'");
                case INVALID -> ApiException.unauthorized("the API key is not valid for this gateway");
                case ACCEPTED -> throw new IllegalStateException("an accepted request has no error");
            };
        }
    }

    private final List<byte[]> digests;

    @Inject
    ApiKeys(GatewaySettings settings) {
        this(settings.apiKeys().orElse(List.of()), settings.apiKeysRequired());
    }

    ApiKeys(List<String> configured, boolean required) {
        List<byte[]> keys = new ArrayList<>();
        int shortKeys = 0;
        for (String key : configured) {
            String k = key.strip(); // a Secret made with --from-file keeps the file's final newline
            if (!k.isEmpty()) {
                keys.add(sha256(k));
                shortKeys += k.length() < SHORT_KEY ? 1 : 0;
            }
        }
        if (keys.isEmpty() && required) {
            throw new IllegalStateException("fovea.gateway.api-keys-required is true but fovea.gateway.api-keys"
                    + " (FOVEA_GATEWAY_API_KEYS) holds no key: refusing to serve an open API");
        }
        this.digests = List.copyOf(keys);
        if (digests.isEmpty()) {
            LOG.info("API keys: none configured, the /v1 API and the gRPC services are open");
        } else {
            LOG.infof("API keys: %d configured, /v1 and gRPC require 'Authorization: Bearer <key>'", digests.size());
            if (shortKeys > 0) {
                LOG.warnf("API keys: %d of them shorter than %d characters, easy to guess (openssl rand -hex 32)",
                        shortKeys, SHORT_KEY);
            }
        }
    }

    /** Whether any key is configured (else every request is accepted). */
    public boolean enabled() {
        return !digests.isEmpty();
    }

    /** Checks an {@code Authorization} header (HTTP) or {@code authorization} metadata value (gRPC); null = absent. */
    public Verdict check(String authorization) {
        if (digests.isEmpty()) {
            return Verdict.ACCEPTED;
        }
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Verdict.MISSING;
        }
        String presented = authorization.substring(SCHEME.length()).strip();
        if (presented.isEmpty()) {
            return Verdict.MISSING;
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] key : digests) {
            match |= MessageDigest.isEqual(key, digest); // no early exit: every key is compared every time
        }
        return match ? Verdict.ACCEPTED : Verdict.INVALID;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
