package dev.sentiflow.model.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the loss chart the notebooks plot with matplotlib, as a self-contained SVG: training
 * loss per optimizer step (thin line, plus a moving average so the trend is readable through
 * batch noise) and evaluation loss per epoch (points joined by a line, at the step where each
 * epoch ended), with axes, ticks, labels and a legend. No dependencies; opens in any browser.
 * The drawn data (lines and points, not axes or legend) carry {@code class="mark"}, which the
 * pipeline's HTML report counts to check in a browser that every chart drew.
 */
public final class LossCurveSvg {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;

    /** An evaluation point: the optimizer step at which it was taken and the loss. */
    public record EvalPoint(int step, double loss) {}

    private LossCurveSvg() {}

    /**
     * @param title chart title
     * @param trainLoss training loss of each optimizer step, step 1 first
     * @param evalLoss evaluation loss after each epoch
     */
    public static String render(String title, List<Double> trainLoss, List<EvalPoint> evalLoss) {
        int maxStep = Math.max(1, trainLoss.size());
        for (EvalPoint p : evalLoss) {
            maxStep = Math.max(maxStep, p.step());
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : trainLoss) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        for (EvalPoint p : evalLoss) {
            if (Double.isFinite(p.loss())) {
                lo = Math.min(lo, p.loss());
                hi = Math.max(hi, p.loss());
            }
        }
        if (!Double.isFinite(lo)) {
            lo = 0;
            hi = 1;
        }
        lo = Math.min(0, lo);
        double[] yTicks = niceTicks(lo, hi == lo ? lo + 1 : hi, 6);
        double yMin = yTicks[0];
        double yMax = yTicks[yTicks.length - 1];
        double[] xTicks = niceTicks(0, maxStep, 8);
        double xMax = Math.max(maxStep, xTicks[xTicks.length - 1]);
        Axes axes = new Axes(0, xMax, yMin, yMax);

        StringBuilder svg = new StringBuilder(16_384);
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">%s</text>%n",
                WIDTH / 2, escape(title)));
        for (double y : yTicks) {
            double py = axes.y(y);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, py, WIDTH - RIGHT, py));
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>%n",
                    LEFT - 6, py, tick(y, yTicks)));
        }
        for (double x : xTicks) {
            if (x > xMax) {
                continue;
            }
            double px = axes.x(x);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#444\"/>%n", px, HEIGHT - BOTTOM, px, HEIGHT - BOTTOM + 5));
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, HEIGHT - BOTTOM + 19, tick(x, xTicks)));
        }
        svg.append(String.format(Locale.ROOT,
                "<polyline points=\"%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#444\"/>%n",
                LEFT, TOP, LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">optimizer step</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 14));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">loss</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2, (TOP + HEIGHT - BOTTOM) / 2));

        if (!trainLoss.isEmpty()) {
            svg.append(polyline(axes, steps(trainLoss), trainLoss, "#9ecae1", 1));
            List<Double> smooth = movingAverage(trainLoss, Math.max(1, trainLoss.size() / 50));
            svg.append(polyline(axes, steps(smooth), smooth, "#1f77b4", 2));
        }
        if (!evalLoss.isEmpty()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (EvalPoint p : evalLoss) {
                xs.add((double) p.step());
                ys.add(p.loss());
            }
            svg.append(polyline(axes, xs, ys, "#d62728", 2));
            for (EvalPoint p : evalLoss) {
                svg.append(String.format(Locale.ROOT,
                        "<circle class=\"mark\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#d62728\"><title>epoch eval loss %s</title></circle>%n",
                        axes.x(p.step()), axes.y(p.loss()), label(p.loss())));
            }
        }
        int lx = WIDTH - RIGHT - 210;
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"200\" height=\"48\" fill=\"white\" stroke=\"#ccc\"/>%n", lx, TOP + 4));
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f77b4\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">train loss (per step, smoothed)</text>%n",
                lx + 8, TOP + 18, lx + 30, TOP + 18, lx + 36, TOP + 18));
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d62728\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">eval loss (per epoch)</text>%n",
                lx + 8, TOP + 38, lx + 30, TOP + 38, lx + 36, TOP + 38));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private record Axes(double x0, double x1, double y0, double y1) {
        double x(double v) {
            return LEFT + (v - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
        }

        double y(double v) {
            return HEIGHT - BOTTOM - (v - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM);
        }
    }

    private static List<Double> steps(List<Double> values) {
        List<Double> xs = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            xs.add((double) (i + 1));
        }
        return xs;
    }

    private static String polyline(Axes axes, List<Double> xs, List<Double> ys, String colour, int width) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xs.size(); i++) {
            if (!Double.isFinite(ys.get(i))) {
                continue;
            }
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", axes.x(xs.get(i)), axes.y(ys.get(i))));
        }
        return String.format(Locale.ROOT,
                "<polyline class=\"mark\" points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%d\"/>%n",
                points.toString().trim(), colour, width);
    }

    /** Trailing mean over {@code window} points. */
    static List<Double> movingAverage(List<Double> values, int window) {
        List<Double> out = new ArrayList<>(values.size());
        double sum = 0;
        for (int i = 0; i < values.size(); i++) {
            sum += values.get(i);
            if (i >= window) {
                sum -= values.get(i - window);
            }
            out.add(sum / Math.min(i + 1, window));
        }
        return out;
    }

    /** Round tick values (1, 2, 2.5, 5 × 10^k) covering [lo, hi]. */
    static double[] niceTicks(double lo, double hi, int target) {
        double raw = (hi - lo) / Math.max(1, target);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] ticks = new double[n];
        for (int i = 0; i < n; i++) {
            ticks[i] = start + i * step;
        }
        return ticks;
    }

    /** A tick label with as many decimals as the tick spacing needs (0.2 → "0.4", 100 → "300"). */
    static String tick(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = 0;
        while (decimals < 6 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
