package dev.sentiflow.deploy.local;

import java.time.Duration;
import java.util.Locale;

/**
 * The local stack's one-line progress report.
 *
 * @param sent reviews the streamer had acknowledged, of {@code toStream}
 * @param reviews records on {@code reviews} (its end offsets: plain idempotent writes, so exact)
 * @param tokenized committed records on {@code reviews.tokenized}, counted by a read_committed reader
 *     (end offsets of a transactional topic also count commit markers)
 * @param ingestLag reviews not yet consumed by ingest, or -1 before its group has committed
 */
record StatusLine(Duration elapsed, long sent, long toStream, long reviews, long tokenized, long dlq,
                  long predictions, long ingestLag) {

    @Override
    public String toString() {
        long s = elapsed.toSeconds();
        return String.format(Locale.ROOT, "[%02d:%02d] sent %d/%d | reviews %d | tokenized %d | dlq %d | predictions %d"
                        + " | ingest lag %s", s / 60, s % 60, sent, toStream, reviews, tokenized, dlq, predictions,
                ingestLag < 0 ? "-" : String.valueOf(ingestLag));
    }
}
