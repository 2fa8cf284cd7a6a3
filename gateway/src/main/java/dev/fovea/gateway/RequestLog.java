package dev.fovea.gateway;

import org.jboss.logging.Logger;

/**
 * One log line per failed request, carrying its request id: a client's mistake (4xx) at INFO, a backend's or the
 * gateway's (5xx) at WARN. Unexpected exceptions are logged with their stack trace where they are caught, once.
 */
public final class RequestLog {
    private static final Logger LOG = Logger.getLogger(RequestLog.class);

    private RequestLog() {
    }

    public static void failed(String requestId, String api, ApiException e) {
        if (e.status() < 500) {
            LOG.infof("request %s (%s): %d %s: %s", requestId, api, e.status(), e.code(), e.getMessage());
        } else {
            LOG.warnf("request %s (%s): %d %s: %s", requestId, api, e.status(), e.code(), e.getMessage());
        }
    }
}
