package dev.sentiflow.trainer.metrics;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a running round is, as the one log line an operator reads every few seconds
 * ({@code progress model default v3: epoch 2/3, step 40/96 (42%), loss 0.4123, eta 31 s}) and the
 * local launcher draws its progress bar from. The round's metrics reach {@code training.metrics} only
 * with its commit, so this line is the only live view of a round in progress.
 */
public record RoundProgress(String model, long version, int epoch, int epochs, int step, int totalSteps, double loss,
                            long etaSeconds) {

    private static final Pattern LINE = Pattern.compile("progress model (\\S+) v(\\d+): epoch (\\d+)/(\\d+), step "
            + "(\\d+)/(\\d+) \\(\\d+%\\), loss (\\S+), eta (\\d+) s");

    public double fraction() {
        return totalSteps == 0 ? 0 : Math.min(1, (double) step / totalSteps);
    }

    public String line() {
        return String.format(Locale.ROOT, "progress model %s v%d: epoch %d/%d, step %d/%d (%d%%), loss %.4f, eta %d s",
                model, version, epoch, epochs, step, totalSteps, Math.round(100 * fraction()), loss, etaSeconds);
    }

    /** The progress in a log line that contains one, wherever the logger's prefix puts it. */
    public static Optional<RoundProgress> find(String logLine) {
        Matcher m = LINE.matcher(logLine);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RoundProgress(m.group(1), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)),
                    Double.parseDouble(m.group(7)), Long.parseLong(m.group(8))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // a line that only looks like one
        }
    }
}
