package dev.sentiflow.text.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One console line of progress: a bar, done/total, samples per second and whatever the caller
 * adds (the loss). On a terminal the line is redrawn in place with {@code \r} at most 4 times a
 * second; elsewhere (CI logs, files) a plain line is printed at most every {@code plainInterval}
 * so logs stay short but show that the job is alive.
 */
public final class ProgressBar {

    private static final int BAR_WIDTH = 24;
    private static final long TTY_INTERVAL_NANOS = 250_000_000L;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean tty;
    private final long plainIntervalNanos;
    private final LongSupplier clock;
    private final long start;
    private long lastPrint = Long.MIN_VALUE;
    private int lastLength;

    public ProgressBar(String label, long total, PrintStream out, boolean tty, long plainIntervalMillis, LongSupplier nanoClock) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.tty = tty;
        this.plainIntervalNanos = plainIntervalMillis * 1_000_000L;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** A bar on standard output; redraws in place only when a console is attached. */
    public static ProgressBar console(String label, long total) {
        return new ProgressBar(label, total, System.out, System.console() != null, 30_000, System::nanoTime);
    }

    /** Reports {@code done} of {@code total} samples; {@code detail} is appended (e.g. "loss 0.412"). */
    public void update(long done, String detail) {
        long now = clock.getAsLong();
        boolean last = done >= total;
        long interval = tty ? TTY_INTERVAL_NANOS : plainIntervalNanos;
        if (!last && lastPrint != Long.MIN_VALUE && now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        String line = line(done, detail, now);
        if (tty) {
            String padding = " ".repeat(Math.max(0, lastLength - line.length()));
            out.print("\r" + line + padding);
            lastLength = line.length();
            if (last) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Samples per second since the bar was created. */
    public double rate(long done) {
        double seconds = (clock.getAsLong() - start) / 1e9;
        return seconds <= 0 ? 0 : done / seconds;
    }

    String line(long done, String detail, long now) {
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        double seconds = (now - start) / 1e9;
        double rate = seconds <= 0 ? 0 : done / seconds;
        String eta = rate > 0 && done < total ? " eta " + duration((total - done) / rate) : "";
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %.1f samples/s%s%s",
                label,
                "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled),
                done,
                total,
                rate,
                eta,
                detail == null || detail.isEmpty() ? "" : " " + detail);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
