package dev.fovea.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A service replica's Prometheus endpoint, scraped before and after a bench run. */
record ReplicaMetrics(String name, String url) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The local stack's components whose names pass {@code which} ({@code .fovea/run/NAME.port}), in name order. */
    static List<ReplicaMetrics> local(LocalStack stack, Predicate<String> which) throws IOException {
        List<ReplicaMetrics> out = new ArrayList<>();
        for (var e : stack.recorded().entrySet()) {
            if (which.test(e.getKey()) && e.getValue()[1] > 0) {
                out.add(new ReplicaMetrics(e.getKey(), "http://127.0.0.1:" + e.getValue()[1] + "/q/metrics"));
            }
        }
        // encoder-clip before encoder-clip-2 before encoder-clip-10 (the pid files sort '-' before '.')
        out.sort(java.util.Comparator.comparing((ReplicaMetrics m) -> m.name().replaceFirst("-\\d+$", ""))
                .thenComparingInt(m -> m.name().matches(".*-\\d+$")
                        ? Integer.parseInt(m.name().replaceFirst(".*-", "")) : 1));
        return out;
    }

    /** {@code --metrics URL,URL}: a base URL gets {@code /q/metrics}; each is named by its host:port. */
    static List<ReplicaMetrics> given(List<String> urls) {
        List<ReplicaMetrics> out = new ArrayList<>();
        for (String u : urls) {
            URI uri = URI.create(u.contains("://") ? u : "http://" + u);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("--metrics: '" + u + "' is not a URL");
            }
            String path = uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/") ? "/q/metrics"
                    : uri.getPath();
            out.add(new ReplicaMetrics(uri.getHost() + ":" + uri.getPort(),
                    uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path));
        }
        return out;
    }

    /** Every metric summed over its labels, or null when the replica does not answer (killed, say). */
    Map<String, Double> scrape() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? PrometheusText.sums(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
