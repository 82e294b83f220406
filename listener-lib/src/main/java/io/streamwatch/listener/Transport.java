package io.streamwatch.listener;

import java.io.IOException;

/** Sends one gzip-compressed envelope to the service. */
interface Transport {

    /**
     * Posts the body and returns the service's answer.
     *
     * @throws IOException when the service could not be reached or did not answer in time
     */
    Response post(byte[] gzippedJson) throws IOException;

    /** Where requests go, for log messages. */
    String describe();

    /** Status, (possibly cut) body and {@code Retry-After} header of one answer. */
    final class Response {
        private final int status;
        private final String body;
        private final String retryAfter;

        Response(int status, String body) {
            this(status, body, null);
        }

        Response(int status, String body, String retryAfter) {
            this.status = status;
            this.body = body;
            this.retryAfter = retryAfter;
        }

        int status() {
            return status;
        }

        String body() {
            return body;
        }

        /** The raw {@code Retry-After} header, or null when the answer had none. */
        String retryAfter() {
            return retryAfter;
        }
    }
}
