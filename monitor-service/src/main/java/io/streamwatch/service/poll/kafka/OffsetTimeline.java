package io.streamwatch.service.poll.kafka;

/**
 * When one partition's log end offset was seen to move: a bounded table of points {@code (offset,
 * firstSeen, lastSeen)}, one per distinct end offset observed, where {@code firstSeen}/{@code
 * lastSeen} are the first and last polls that saw the end at that offset. Records {@code [offset_i,
 * offset_i+1)} were therefore appended after {@code lastSeen_i} and no later than {@code
 * firstSeen_i+1}: an interval of one poll, however long the topic was idle before. This is what
 * keeps estimates sane on idle and bursty topics.
 *
 * <p>Bounded to {@link #CAPACITY} points: when full, every other point of the older half is dropped
 * (the oldest is kept), so recent history keeps poll resolution and older history becomes coarser
 * geometrically while the span covered keeps growing. Not thread-safe: the poll thread owns it.
 */
final class OffsetTimeline {
    static final int CAPACITY = 64;

    private final long[] offset = new long[CAPACITY];
    private final long[] firstSeen = new long[CAPACITY];
    private final long[] lastSeen = new long[CAPACITY];
    private int size;
    private long lastObservedAt;

    /**
     * The end offset seen at {@code at}. An end offset below the last one (log truncated, topic
     * re-created) starts afresh.
     */
    void observe(long end, long at) {
        lastObservedAt = at;
        if (size > 0) {
            long latest = offset[size - 1];
            if (end == latest) {
                lastSeen[size - 1] = Math.max(lastSeen[size - 1], at);
                return;
            }
            if (end < latest) size = 0;
        }
        if (size == CAPACITY) thin();
        offset[size] = end;
        firstSeen[size] = at;
        lastSeen[size] = at;
        size++;
    }

    /** Drops every other point of the older half, keeping the oldest point. */
    private void thin() {
        int half = size / 2;
        int w = 1;
        for (int r = 1; r < size; r++) {
            if (r < half && r % 2 == 1) continue;
            offset[w] = offset[r];
            firstSeen[w] = firstSeen[r];
            lastSeen[w] = lastSeen[r];
            w++;
        }
        size = w;
    }

    /**
     * Seconds between {@code now} and the moment the record at {@code position} (the next record
     * the consumer will read) was appended, for a partition whose end offset is {@code end}.
     *
     * @return exactly 0 when {@code position >= end}; the interpolated age of that record when the
     *     table covers it; when the record is older than the table, the lower bound {@code now −
     *     firstSeen} of the oldest point (null while that is still 0, i.e. at the very first poll)
     */
    Double secondsBehind(long position, long end, long now) {
        if (position >= end) return 0.0;
        if (size == 0) return null;
        int i = lastAtOrBelow(position);
        if (i < 0) {
            long bound = now - firstSeen[0];
            return bound <= 0 ? null : bound / 1000.0;
        }
        long o0 = offset[i];
        long t0 = lastSeen[i];
        long o1;
        long t1;
        if (i + 1 < size) {
            o1 = offset[i + 1];
            t1 = firstSeen[i + 1];
        } else {
            // The caller's end is newer than the table: the record arrived after the last poll that
            // saw it.
            o1 = end;
            t1 = now;
        }
        double appendedAt = t0 + (double) (position + 1 - o0) / (o1 - o0) * (t1 - t0);
        return Math.max(0.0, (now - appendedAt) / 1000.0);
    }

    /**
     * Whether {@code position} is older than the first end offset this timeline saw, so that {@link
     * #secondsBehind} can only give a lower bound.
     */
    boolean olderThanMemory(long position) {
        return size > 0 && lastAtOrBelow(position) < 0;
    }

    /** Index of the newest point whose offset is at or below {@code position}, or −1. */
    private int lastAtOrBelow(long position) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offset[mid] <= position) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    int size() {
        return size;
    }

    long lastObservedAt() {
        return lastObservedAt;
    }
}
