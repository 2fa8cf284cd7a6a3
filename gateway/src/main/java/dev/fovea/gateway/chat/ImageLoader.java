package dev.fovea.gateway.chat;

import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.ImageException;
import dev.fovea.engine.vision.ImageHeader;
import dev.fovea.engine.vision.ImageLimits;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Turns a request's image reference into bytes and a size: data URLs always, http(s) URLs only for allowed hosts
 * (the gateway must not be a way to reach arbitrary hosts). Only the header is read here, and checked by the
 * engine's {@link ImageLimits} as the encoders will check it, so an image they would refuse is a 400 before any
 * encoder is called; pixels are the encoders' business.
 */
@ApplicationScoped
class ImageLoader {
    private final GatewaySettings settings;
    private final List<String> allowedHosts;
    private final HttpClient http;
    /** Reads headers only: the engine's cheap checks (size, aspect ratio, data too small), nothing decoded. */
    private final ImageDecoder headerCheck;

    ImageLoader(GatewaySettings settings) {
        this.settings = settings;
        this.headerCheck = new ImageDecoder(ImageLimits.ofPixels(settings.maxImagePixels()));
        this.allowedHosts = settings.imageUrlHosts().orElse(List.of()).stream()
                .map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        // redirects are not followed: they could lead off the allow-list
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.imageFetchTimeout()).build();
    }

    LoadedImage load(ImageSource source, int index) {
        String param = "messages.image_url[" + index + "]";
        byte[] bytes;
        if (source.data() != null) {
            bytes = source.data();
            if (bytes.length > settings.maxImageBytes()) {
                throw tooBig(index);
            }
        } else if (source.url() == null || source.url().isBlank()) {
            throw ApiException.badRequest("image " + index + " has no url", param, "invalid_image_url");
        } else if (source.url().regionMatches(true, 0, "data:", 0, 5)) {
            bytes = fromDataUrl(source.url(), index, param);
        } else {
            bytes = fetch(source.url(), index, param);
        }
        return describe(bytes, index, param);
    }

    private byte[] fromDataUrl(String url, int index, String param) {
        int comma = url.indexOf(',');
        String meta = comma < 0 ? "" : url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (comma < 0 || !meta.endsWith(";base64") || !meta.startsWith("image/")) {
            throw ApiException.badRequest("image " + index + ": expected a data URL like data:image/png;base64,...",
                    param, "invalid_image_url");
        }
        String payload = url.substring(comma + 1).replaceAll("\\s", "");
        if ((long) payload.length() * 3 / 4 > settings.maxImageBytes() + 2L) {
            throw tooBig(index);
        }
        try {
            return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("image " + index + ": the data URL is not valid base64 (" + e.getMessage()
                    + ")", param, "invalid_image_url");
        }
    }

    private byte[] fetch(String url, int index, String param) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("image " + index + ": malformed URL", param, "invalid_image_url");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badRequest("image " + index + ": only data: and http(s) URLs are accepted", param,
                    "invalid_image_url");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!allowedHosts.contains(host)) {
            throw ApiException.badRequest("image " + index + ": fetching images from host '" + host + "' is not "
                    + (allowedHosts.isEmpty() ? "enabled (image URLs are off; send a data:image/...;base64 URL)"
                    : "allowed (allowed hosts: " + allowedHosts + ")"), param, "image_url_host_not_allowed");
        }
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(settings.imageFetchTimeout())
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw ApiException.badRequest("image " + index + ": fetching it gave HTTP " + r.statusCode(),
                            param, "image_fetch_failed");
                }
                byte[] bytes = in.readNBytes(settings.maxImageBytes() + 1);
                if (bytes.length > settings.maxImageBytes()) {
                    throw tooBig(index);
                }
                return bytes;
            }
        } catch (IOException e) {
            throw ApiException.badRequest("image " + index + ": could not fetch it ("
                    + (e.getMessage() == null ? "no response" : e.getMessage()) + ")", param,
                    "image_fetch_failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while fetching image " + index);
        }
    }

    private LoadedImage describe(byte[] bytes, int index, String param) {
        ImageHeader header;
        try {
            header = headerCheck.inspect(bytes);
        } catch (ImageException e) {
            throw ApiException.badRequest("image " + index + ": " + e.getMessage(), param, "invalid_image");
        }
        return new LoadedImage(bytes, header.width(), header.height(), sha256(bytes));
    }

    private ApiException tooBig(int index) {
        return ApiException.tooLarge("image " + index + " is larger than " + settings.maxImageBytes() + " bytes");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
