package dev.fovea.gateway;

/** A request that cannot be served, with the HTTP status and OpenAI error fields to report it by. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static ApiException badRequest(String message, String param, String code) {
        return new ApiException(400, "invalid_request_error", message, param, code);
    }

    static ApiException unknownModel(String model) {
        return new ApiException(404, "invalid_request_error", "The model '" + model + "' does not exist",
                "model", "model_not_found");
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", message, null, "request_too_large");
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, "service_unavailable", message, null, "backend_unavailable");
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }
}
