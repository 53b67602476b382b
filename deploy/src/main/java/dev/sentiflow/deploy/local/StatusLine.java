package dev.sentiflow.deploy.local;

import dev.sentiflow.trainer.metrics.RoundProgress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The local stack's one-line progress report, e.g.
 * {@code [02:10] sent 1801/2395 | tokenized 1800 lag 0 | dlq 0 | scored 1240 41/s lag 12 | default v2 live 0.912 (500)
 * , v1 0.884 (1000) | training v3 [######----] 61% epoch 2/3 eta 20s}; once the bundled reviews are sent
 * again, {@code sent 2801 pass 2/2395}.
 *
 * @param sent reviews the streamer had acknowledged (all passes), {@code toStream} in each pass
 * @param pass the pass being sent (1: the originals)
 * @param tokenized committed records on {@code reviews.tokenized}, counted by a read_committed reader
 *     (end offsets of a transactional topic also count commit markers)
 * @param ingestLag sent reviews neither tokenized nor dead-lettered yet (-1: unknown)
 * @param dlq dead letters of ingest and inference together
 * @param scoredPerSecond predictions per second since the previous line
 * @param inferenceLag tokenized records neither predicted nor dead-lettered yet (-1: unknown)
 * @param serving per model name, the version its newest prediction named and its live accuracy
 * @param training the running round, if the trainer has logged one that has not ended
 */
record StatusLine(Duration elapsed, long sent, long toStream, long pass, long tokenized, long ingestLag, long dlq, long predictions,
                  double scoredPerSecond, long inferenceLag, Map<String, Serving> serving,
                  Optional<RoundProgress> training) {

    private static final int BAR = 10;

    /**
     * What one model serves: its version and, once inference has published one, its live accuracy;
     * and the live accuracy of the versions it served before, newest first.
     */
    record Serving(long version, double liveAccuracy, long liveLabeled, List<Earlier> earlier) {
        Serving {
            earlier = List.copyOf(earlier);
        }
    }

    /** The last live accuracy of a version served before. */
    record Earlier(long version, double liveAccuracy, long liveLabeled) {}

    StatusLine {
        serving = Map.copyOf(serving);
    }

    @Override
    public String toString() {
        long s = elapsed.toSeconds();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "[%02d:%02d] sent %d%s/%d | tokenized %d lag %s | dlq %d | scored %d %.0f/s lag %s", s / 60, s % 60, sent,
                pass > 1 ? " pass " + pass : "", toStream, tokenized, lag(ingestLag), dlq, predictions, scoredPerSecond, lag(inferenceLag)));
        new TreeMap<>(serving).forEach((model, v) -> {
            line.append(" | ").append(model).append(" v").append(v.version());
            if (v.liveLabeled() > 0) {
                line.append(String.format(Locale.ROOT, " live %.3f (%d)", v.liveAccuracy(), v.liveLabeled()));
            } else if (!v.earlier().isEmpty()) {
                line.append(" live -");
            }
            v.earlier().forEach(e -> line.append(String.format(Locale.ROOT, ", v%d %.3f (%d)", e.version(),
                    e.liveAccuracy(), e.liveLabeled())));
        });
        if (serving.isEmpty()) {
            line.append(" | no model yet");
        }
        training.ifPresent(p -> line.append(" | training ").append(p.model().equals("default") ? "" : p.model() + " ")
                .append('v').append(p.version()).append(' ').append(bar(p.fraction()))
                .append(String.format(Locale.ROOT, " %d%% epoch %d/%d", Math.round(100 * p.fraction()), p.epoch(),
                        p.epochs()))
                .append(p.step() > 0 ? " eta " + p.etaSeconds() + "s" : ""));
        return line.toString();
    }

    static String bar(double fraction) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
    }

    private static String lag(long value) {
        return value < 0 ? "-" : String.valueOf(value);
    }
}
