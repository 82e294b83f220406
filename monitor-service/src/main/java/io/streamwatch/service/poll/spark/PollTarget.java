package io.streamwatch.service.poll.spark;

import io.streamwatch.service.state.AppSnapshot;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link SparkRestPoller} keeps for one app key. Only the single poll in flight for the key
 * touches the plain fields; {@code inFlight} hands them from one poll to the next.
 */
final class PollTarget {
    private static final Logger log = LoggerFactory.getLogger(SparkRestPoller.class);
    final String app;
    final AtomicBoolean inFlight = new AtomicBoolean();

    /** The address {@link UiNetworkPolicy} checked for the UI; the only one {@code client} uses. */
    final SparkRestClient.PinnedDns dns = new SparkRestClient.PinnedDns();

    final SparkRestClient client;
    Boolean up;
    long downSince;
    String refused;
    boolean rejectedLogged;
    boolean seenListener;
    long eventsLost;
    boolean backfillPending;
    int deferredPolls;
    String handedAppId;
    final Set<Long> handed = new HashSet<>();

    PollTarget(String app, SparkRestClient shared) {
        this.app = app;
        this.client = shared.pinnedTo(dns);
    }

    /**
     * Apps without a listener: every poll. Listener apps: when first seen or when sequence gaps
     * grew, as soon as the listener has nothing queued (or after {@value
     * SparkRestPoller#MAX_DEFERRED_POLLS} polls).
     */
    boolean backfillDue(AppSnapshot known, boolean listener) {
        if (!listener) return true;
        long lost = known.listener().eventsLost();
        if (!seenListener || lost > eventsLost) {
            seenListener = true;
            backfillPending = true;
            deferredPolls = 0;
        }
        eventsLost = Math.max(eventsLost, lost);
        if (!backfillPending) return false;
        return known.listener().queued() == 0
                || ++deferredPolls > SparkRestPoller.MAX_DEFERRED_POLLS;
    }

    /**
     * A listener reports its app before the app's StreamingContext exists, and Spark answers 404 on
     * the streaming endpoints until it does: not a driver that is down. Only while the poller never
     * got an answer and the listener has not reported a batch interval either.
     */
    boolean streamingNotStartedYet(AppSnapshot known, boolean listener, int status) {
        return status == 404 && listener && up == null && known.batchIntervalMs() == null;
    }

    void markUp(String ui, long now) {
        Boolean was = up;
        up = true;
        if (Boolean.FALSE.equals(was)) {
            log.info(
                    "Spark REST API of app '{}' at {} answers again (it did not for {} s)",
                    app,
                    ui,
                    Math.max(0, now - downSince) / 1000);
        } else if (was == null) {
            log.debug("Spark REST API of app '{}' at {} answers", app, ui);
        }
    }

    void markDown(long now, String ui, String reason, Throwable bug) {
        if (Boolean.FALSE.equals(up)) return;
        up = false;
        downSince = now;
        String message =
                "Spark REST API of app '{}' at {} does not answer: {}. spark_streaming_rest_up is 0 until it does";
        if (bug == null) log.warn(message, app, ui, reason);
        else log.warn(message, app, ui, reason, bug);
    }
}
