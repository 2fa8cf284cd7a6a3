package dev.fovea.gateway;

/** Where a request's image comes from: its bytes (gRPC) or a URL ({@code data:} or http(s)). */
record ImageSource(byte[] data, String url) {
    static ImageSource ofUrl(String url) {
        return new ImageSource(null, url);
    }

    static ImageSource ofBytes(byte[] data) {
        return new ImageSource(data, null);
    }
}
