package dev.fovea.gateway;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The gateway's entry point. Quarkus answers a URI that {@link java.net.URI} cannot parse (a bad percent-escape such
 * as {@code /v1/models/%zz}) with an empty 400 before any route sees it; without that check Vert.x's router refuses
 * it itself, and the gateway's handler answers with the documented error envelope.
 */
@QuarkusMain
public final class GatewayMain {
    /** Read by Quarkus' HTTP front handler when it is created: it must be set before the application starts. */
    static final String URI_VALIDATION = "vertx.disableURIValidation";

    private GatewayMain() {
    }

    public static void main(String... args) {
        System.setProperty(URI_VALIDATION, "true");
        Quarkus.run(args);
    }
}
