package io.streamwatch.service.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The newest {@code capacity} completed batches of one app, ordered by batch time, each batch at
 * most once (key: app id and batch time). A circular buffer: appending the newest batch, the usual
 * case, is O(1); an out-of-order batch is inserted in place. Not thread-safe: guarded by its {@link
 * AppState}.
 */
final class BatchHistory {
    private final BatchRecord[] ring;
    private int head; // index of the oldest
    private int size;

    BatchHistory(int capacity) {
        this.ring = new BatchRecord[capacity];
    }

    /** An independent copy (the records themselves are immutable). */
    BatchHistory copy() {
        BatchHistory c = new BatchHistory(ring.length);
        System.arraycopy(ring, 0, c.ring, 0, ring.length);
        c.head = head;
        c.size = size;
        return c;
    }

    private BatchRecord at(int logical) {
        return ring[(head + logical) % ring.length];
    }

    private void set(int logical, BatchRecord r) {
        ring[(head + logical) % ring.length] = r;
    }

    private static int compare(BatchRecord a, long batchTime, String appId) {
        int c = Long.compare(a.batchTime(), batchTime);
        return c != 0 ? c : a.appId().compareTo(appId);
    }

    /**
     * @return false when this batch is already held, or older than everything held in a full
     *     history
     */
    boolean add(BatchRecord r) {
        // Fast path: strictly newer than the newest.
        int pos;
        if (size == 0 || compare(at(size - 1), r.batchTime(), r.appId()) < 0) {
            pos = size;
        } else {
            int lo = 0, hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = compare(at(mid), r.batchTime(), r.appId());
                if (c == 0) return false;
                if (c < 0) lo = mid + 1;
                else hi = mid - 1;
            }
            pos = lo;
            if (pos == 0 && size == ring.length) return false;
        }
        if (size == ring.length) {
            // Drop the oldest to make room.
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            pos--;
        }
        for (int i = size; i > pos; i--) {
            set(i, at(i - 1));
        }
        set(pos, r);
        size++;
        return true;
    }

    boolean contains(String appId, long batchTime) {
        int lo = 0, hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(at(mid), batchTime, appId);
            if (c == 0) return true;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return false;
    }

    /** Newest first. */
    List<BatchRecord> newest(int limit) {
        int n = Math.min(limit, size);
        List<BatchRecord> out = new ArrayList<>(n);
        for (int i = size - 1; i >= size - n; i--) {
            out.add(at(i));
        }
        return out;
    }

    BatchRecord newest() {
        return size == 0 ? null : at(size - 1);
    }

    int size() {
        return size;
    }

    int capacity() {
        return ring.length;
    }
}
