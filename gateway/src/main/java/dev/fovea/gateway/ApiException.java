package dev.fovea.gateway;

/** A request that cannot be served, with the HTTP status and OpenAI error fields to report it by. */
public final class ApiException extends RuntimeException {
    private static final int QUOTE_MAX = 64;

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    public static ApiException badRequest(String message, String param, String code) {
        return new ApiException(400, "invalid_request_error", message, param, code);
    }

    /** No API key, or not one of the gateway's (the message never quotes what the client sent). */
    public static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", message, null, "invalid_api_key");
    }

    public static ApiException unknownModel(String model) {
        return new ApiException(404, "invalid_request_error", "The model " + quote(model) + " does not exist",
                "model", "model_not_found");
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", message, null, "request_too_large");
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "service_unavailable", message, null, "backend_unavailable");
    }

    /** A backend failed in a way that trying again will not mend (a bug, a wrong answer, a missing method). */
    public static ApiException backendError(String message) {
        return new ApiException(502, "backend_error", message, null, "backend_error");
    }

    /** An unexpected failure of the gateway itself; the details go to the log, not to the client. */
    public static ApiException internal() {
        return new ApiException(500, "server_error", "internal error (see the gateway's log for this request id)",
                null, "internal_error");
    }

    /** A client's value for an error message, quoted and cut short: messages never grow with the request. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        return "'" + (value.length() <= QUOTE_MAX ? value : value.substring(0, QUOTE_MAX) + "…") + "'";
    }

    /** Whether the same request may succeed later: the backend was away, overloaded or slow. */
    public boolean transientFailure() {
        return status == 503 || status == 408 || status == 429;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
