package io.streamwatch.listener;

/** One protocol event as a JSON object text, ready to be placed in an envelope. */
final class EncodedEvent {
    private final long seq;
    private final String type;
    private final String json;
    private final boolean urgent;

    EncodedEvent(long seq, String type, String json, boolean urgent) {
        this.seq = seq;
        this.type = type;
        this.json = json;
        this.urgent = urgent;
    }

    long seq() {
        return seq;
    }

    String type() {
        return type;
    }

    String json() {
        return json;
    }

    /** True for events that are sent at once instead of waiting for the flush interval. */
    boolean urgent() {
        return urgent;
    }
}
