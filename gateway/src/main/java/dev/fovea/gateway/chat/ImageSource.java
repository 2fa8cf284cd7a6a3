package dev.fovea.gateway.chat;

/** Where a request's image comes from: its bytes (gRPC) or a URL ({@code data:} or http(s)). */
public record ImageSource(byte[] data, String url) {
    public static ImageSource ofUrl(String url) {
        return new ImageSource(null, url);
    }

    public static ImageSource ofBytes(byte[] data) {
        return new ImageSource(data, null);
    }
}
