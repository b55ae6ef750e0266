package org.meshchain.node.api;

/**
 * A request the API refuses: an HTTP status, a stable machine-readable code and a human-readable
 * detail, rendered as {@code {"error": code, "detail": detail}}. Thrown by parsing and handlers;
 * never escapes the server.
 */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    ApiError(int status, String code, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiError badRequest(String code, String detail) {
        return new ApiError(400, code, detail);
    }

    static ApiError notFound(String detail) {
        return new ApiError(404, "not_found", detail);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String detail() {
        return getMessage();
    }
}
