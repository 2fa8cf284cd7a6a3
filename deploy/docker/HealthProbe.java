import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The containers' HEALTHCHECK: exits 0 when the service's liveness endpoint answers 200, 1 otherwise.
 * The base image has no shell or curl, so this class (compiled by build-base.sh into /opt/fovea/health) is it.
 * The URL is FOVEA_HEALTH_URL when set, else /q/health/live on loopback at QUARKUS_HTTP_PORT (the port a run
 * chose) or FOVEA_SERVICE_PORT (the image's default, set by its Dockerfile).
 */
public final class HealthProbe {
    private HealthProbe() {
    }

    public static void main(String[] args) {
        String url = System.getenv("FOVEA_HEALTH_URL");
        if (url == null || url.isBlank()) {
            url = "http://127.0.0.1:" + port() + "/q/health/live";
        }
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(3000);
            int status = c.getResponseCode();
            c.disconnect();
            if (status == 200) {
                System.exit(0);
            }
            System.err.println("unhealthy: " + url + " answered " + status);
        } catch (Exception e) {
            System.err.println("unhealthy: " + url + ": " + e);
        }
        System.exit(1);
    }

    private static String port() {
        for (String name : new String[] {"QUARKUS_HTTP_PORT", "FOVEA_SERVICE_PORT"}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return "8080";
    }
}
