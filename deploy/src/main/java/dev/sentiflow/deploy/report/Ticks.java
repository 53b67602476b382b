package dev.sentiflow.deploy.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Axis ticks: round numbers (1, 2, 5 × 10^k) for values, round clock times for time axes. */
final class Ticks {

    private static final List<Duration> TIME_STEPS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2),
            Duration.ofHours(3), Duration.ofHours(6), Duration.ofHours(12), Duration.ofDays(1), Duration.ofDays(2),
            Duration.ofDays(7), Duration.ofDays(14), Duration.ofDays(28));

    private Ticks() {
    }

    /** The step of about {@code target} round ticks over {@code [0, max]}. */
    static double step(double max, int target) {
        double raw = max / Math.max(1, target);
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** The top of an axis from 0 that holds {@code max}: a round number; 1 for no data. */
    static double top(double max, int target) {
        if (!(max > 0) || !Double.isFinite(max)) {
            return 1;
        }
        double step = step(max, target);
        return Math.ceil(max / step - 1e-9) * step;
    }

    /** A value tick's label, with the decimals the step needs. */
    static String label(double value, double step) {
        int decimals = 0;
        while (decimals < 6 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Clock-time ticks within {@code [from, to]}, about {@code target} of them, at a round step. */
    static List<Instant> times(Instant from, Instant to, int target) {
        long span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
        Duration step = timeStep(from, to, target);
        long s = step.toMillis();
        long offset = ZoneId.systemDefault().getRules().getOffset(from).getTotalSeconds() * 1000L;
        List<Instant> out = new ArrayList<>();
        long first = Math.floorDiv(from.toEpochMilli() + offset + s - 1, s) * s - offset;
        for (long t = first; t <= from.toEpochMilli() + span; t += s) {
            out.add(Instant.ofEpochMilli(t));
        }
        return out;
    }

    static Duration timeStep(Instant from, Instant to, int target) {
        long span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
        for (Duration step : TIME_STEPS) {
            if (span / step.toMillis() <= target) {
                return step;
            }
        }
        return TIME_STEPS.get(TIME_STEPS.size() - 1);
    }

    /** A time tick's label: seconds shown when the step is under a minute, the date when a day or more. */
    static String timeLabel(Instant t, Duration step) {
        String pattern = step.compareTo(Duration.ofMinutes(1)) < 0 ? "HH:mm:ss"
                : step.compareTo(Duration.ofDays(1)) < 0 ? "HH:mm" : "MM-dd";
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneId.systemDefault()).format(t);
    }
}
