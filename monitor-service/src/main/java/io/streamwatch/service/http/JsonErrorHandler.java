package io.streamwatch.service.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Answers the requests Jetty refuses before any route sees them (malformed request lines, bad
 * percent-encoding, oversized URIs or headers, conflicting Content-Length) with the same {@code
 * {"error": "..."}} JSON as the rest of the API instead of Jetty's HTML page. The reason is Jetty's
 * own short description, reduced to printable ASCII; nothing else about the server is shown.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final String JSON = "application/json";

    JsonErrorHandler() {
        setShowStacks(false);
        setShowServlet(false);
        setShowMessageInTitle(false);
    }

    /** Requests rejected while Jetty parses them (the status is Jetty's, e.g. 400, 414, 431). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (HttpStatus.hasNoBody(status)) return ByteBuffer.allocate(0);
        fields.put(HttpHeader.CONTENT_TYPE, JSON);
        return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
    }

    /** Errors raised inside Jetty's request handling but outside the routes. */
    @Override
    protected void generateAcceptableResponse(
            Request baseRequest,
            HttpServletRequest request,
            HttpServletResponse response,
            int code,
            String message)
            throws IOException {
        baseRequest.setHandled(true);
        if (response.isCommitted()) return;
        response.setContentType(JSON);
        // A message here may come from an exception; only a client error's standard reason is
        // shown.
        response.getOutputStream().write(body(code, null).getBytes(StandardCharsets.UTF_8));
    }

    static String body(int status, String reason) {
        String standard = HttpStatus.getMessage(status);
        String detail =
                reason == null
                        ? ""
                        : reason.replaceAll("[^\\x20-\\x7E]", "?")
                                .replace("\\", "/")
                                .replace("\"", "'");
        if (detail.length() > 100) detail = detail.substring(0, 100) + "...";
        String text;
        if (status >= 500 && status != HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            text = "the service could not handle this request (" + standard + ")";
        } else if (detail.isBlank() || detail.equalsIgnoreCase(standard)) {
            text = "malformed HTTP request (" + status + " " + standard + ")";
        } else {
            text = "malformed HTTP request (" + status + " " + standard + "): " + detail;
        }
        return "{\"error\":\"" + text + "\"}";
    }
}
