package dev.fovea.grpcsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * gRPC's max connection age on the shared HTTP server (quarkus.grpc.server.use-separate-server=false), where the
 * separate server's Netty settings do not apply: an HTTP/2 connection older than {@code fovea.grpc.max-connection-age}
 * is sent GOAWAY, so its client opens a new one and re-resolves the Service's DNS name, finding pods added since
 * (a client would otherwise stay on its first pods for good). The streams open on it get
 * {@code fovea.grpc.max-connection-age-grace} to finish before the connection closes. Unset or 0: off.
 *
 * <p>The hook is a route on the main router ahead of every other: gRPC calls on the shared server are routed
 * there, so it sees each call's connection. A connection's age counts from its first request.
 */
@ApplicationScoped
public class MaxConnectionAge {
    private static final Logger LOG = Logger.getLogger(MaxConnectionAge.class);
    /** Before the gRPC route and every other (Quarkus's own filters use small negative orders). */
    private static final int ROUTE_ORDER = Integer.MIN_VALUE;

    private final Optional<Duration> maxAge;
    private final Duration grace;
    /** Connections with a timer; a closed one stays until its timer fires, so at most max-age worth of them. */
    private final Map<HttpConnection, Boolean> timed = new ConcurrentHashMap<>();
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong aged = new AtomicLong();

    MaxConnectionAge(@ConfigProperty(name = "fovea.grpc.max-connection-age") Optional<Duration> maxAge,
            @ConfigProperty(name = "fovea.grpc.max-connection-age-grace", defaultValue = "30s") Duration grace) {
        this.maxAge = maxAge.filter(d -> !d.isZero() && !d.isNegative());
        this.grace = grace;
    }

    void install(@Observes Router router, Vertx vertx) {
        if (maxAge.isEmpty()) {
            return;
        }
        LOG.infof("HTTP/2 connections are sent GOAWAY after %s (grace %s)", maxAge.get(), grace);
        router.route().order(ROUTE_ORDER).handler(ctx -> {
            if (ctx.request().version() == HttpVersion.HTTP_2) {
                track(ctx.request().connection(), vertx);
            }
            ctx.next();
        });
    }

    private void track(HttpConnection connection, Vertx vertx) {
        if (connection == null || timed.putIfAbsent(connection, Boolean.TRUE) != null) {
            return;
        }
        seen.incrementAndGet();
        // ±10 % as gRPC does, so connections opened together do not all reconnect together
        long age = (long) (maxAge.get().toMillis() * ThreadLocalRandom.current().nextDouble(0.9, 1.1));
        // set from the connection's event loop, so the timer runs there too
        vertx.setTimer(Math.max(1, age), id -> {
            timed.remove(connection);
            aged.incrementAndGet();
            connection.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** HTTP/2 connections seen since start. */
    public long connectionsSeen() {
        return seen.get();
    }

    /** Connections that reached their age and were sent GOAWAY (or had closed already). */
    public long connectionsAged() {
        return aged.get();
    }
}
