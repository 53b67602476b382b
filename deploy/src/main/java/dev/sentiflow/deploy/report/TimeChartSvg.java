package dev.sentiflow.deploy.report;

import static dev.sentiflow.deploy.report.Html.esc;
import static dev.sentiflow.deploy.report.Html.xy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Values over clock time as inline SVG, the value axis from 0: lines (one {@code path class="mark"}
 * per series, broken where a value is missing; a series without two neighbouring values shows its
 * points as dots instead) or bars (one {@code rect class="mark"} per positive value, as wide as its
 * time bucket).
 */
final class TimeChartSvg {

    record Point(Instant at, double value) {
    }

    record Series(String name, String colour, List<Point> points) {
    }

    enum Style { LINES, BARS }

    static final int WIDTH = 640;
    static final int HEIGHT = 300;
    private static final int LEFT = 56;
    private static final int RIGHT = 14;
    private static final int BOTTOM = 44;

    private TimeChartSvg() {
    }

    /** @param bucket the time each bar covers (BARS); ignored for lines */
    static String render(String title, String yLabel, List<Series> series, Style style, Duration bucket) {
        Instant from = null;
        Instant to = null;
        double max = 0;
        for (Series s : series) {
            for (Point p : s.points()) {
                Instant end = style == Style.BARS ? p.at().plus(bucket) : p.at();
                from = from == null || p.at().isBefore(from) ? p.at() : from;
                to = to == null || end.isAfter(to) ? end : to;
                if (Double.isFinite(p.value())) {
                    max = Math.max(max, p.value());
                }
            }
        }
        if (from == null) {
            from = Instant.EPOCH;
            to = Instant.EPOCH;
        }
        if (!to.isAfter(from)) {
            from = from.minusSeconds(30);
            to = to.plusSeconds(30);
        }
        double top = Ticks.top(max, 5);
        List<String> names = series.stream().map(Series::name).toList();
        double plotTop = Frame.plotTop(LEFT, WIDTH - RIGHT, names);
        Axes axes = new Axes(from.toEpochMilli(), to.toEpochMilli(), top, plotTop, HEIGHT - BOTTOM);

        StringBuilder svg = new StringBuilder(8192);
        Frame.open(svg, WIDTH, HEIGHT, title);
        double step = Ticks.step(top, 5);
        for (double v = 0; v <= top + step * 1e-6; v += step) {
            double y = axes.y(v);
            svg.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y1=\"").append(xy(y)).append("\" y2=\"").append(xy(y)).append("\"/>")
                    .append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(xy(y + 4))
                    .append("\" text-anchor=\"end\">").append(Ticks.label(v, step)).append("</text>\n");
        }
        Duration timeStep = Ticks.timeStep(from, to, 6);
        for (Instant t : Ticks.times(from, to, 6)) {
            double x = axes.x(t.toEpochMilli());
            svg.append("<line class=\"axis\" x1=\"").append(xy(x)).append("\" x2=\"").append(xy(x)).append("\" y1=\"")
                    .append(HEIGHT - BOTTOM).append("\" y2=\"").append(HEIGHT - BOTTOM + 4).append("\"/>")
                    .append("<text class=\"tick\" x=\"").append(xy(x)).append("\" y=\"").append(HEIGHT - BOTTOM + 17)
                    .append("\" text-anchor=\"middle\">").append(esc(Ticks.timeLabel(t, timeStep))).append("</text>\n");
        }
        svg.append("<text class=\"axis-label\" x=\"").append((LEFT + WIDTH - RIGHT) / 2).append("\" y=\"")
                .append(HEIGHT - 8).append("\" text-anchor=\"middle\">time (").append(esc(ZoneId.systemDefault()))
                .append(")</text>\n");
        Frame.yLabel(svg, yLabel, (plotTop + HEIGHT - BOTTOM) / 2);
        for (Series s : series) {
            if (style == Style.BARS) {
                bars(svg, axes, s, bucket);
            } else {
                line(svg, axes, s);
            }
        }
        Frame.axes(svg, LEFT, plotTop, WIDTH - RIGHT, HEIGHT - BOTTOM);
        Frame.legend(svg, LEFT, WIDTH - RIGHT, names, series.stream().map(Series::colour).toList());
        svg.append("</svg>");
        return svg.toString();
    }

    private static void line(StringBuilder svg, Axes axes, Series s) {
        StringBuilder d = new StringBuilder();
        boolean pen = false;
        boolean joined = false;
        List<Point> finite = new ArrayList<>();
        for (Point p : s.points()) {
            if (!Double.isFinite(p.value())) {
                pen = false;
                continue;
            }
            finite.add(p);
            d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(xy(axes.x(p.at().toEpochMilli()))).append(' ')
                    .append(xy(axes.y(p.value())));
            joined |= pen;
            pen = true;
        }
        if (joined) {
            svg.append("<path class=\"mark\" fill=\"none\" stroke=\"").append(esc(s.colour()))
                    .append("\" stroke-width=\"2\" d=\"").append(d).append("\"><title>").append(esc(s.name()))
                    .append("</title></path>\n");
            return;
        }
        for (Point p : finite) {
            svg.append("<circle class=\"mark\" r=\"3.5\" cx=\"").append(xy(axes.x(p.at().toEpochMilli())))
                    .append("\" cy=\"").append(xy(axes.y(p.value()))).append("\" fill=\"").append(esc(s.colour()))
                    .append("\"><title>").append(esc(s.name() + ": " + Html.num(p.value(), 4))).append("</title></circle>\n");
        }
    }

    private static void bars(StringBuilder svg, Axes axes, Series s, Duration bucket) {
        for (Point p : s.points()) {
            if (!(p.value() > 0) || !Double.isFinite(p.value())) {
                continue;
            }
            double x0 = axes.x(p.at().toEpochMilli());
            double x1 = axes.x(p.at().plus(bucket).toEpochMilli());
            double y = axes.y(p.value());
            svg.append("<rect class=\"mark\" x=\"").append(xy(x0)).append("\" y=\"").append(xy(y)).append("\" width=\"")
                    .append(xy(Math.max(1, x1 - x0 - 1))).append("\" height=\"").append(xy(Math.max(1, axes.y(0) - y)))
                    .append("\" fill=\"").append(esc(s.colour())).append("\"><title>")
                    .append(esc(Ticks.timeLabel(p.at(), Duration.ZERO) + " " + s.name() + ": " + Html.num(p.value(), 2)))
                    .append("</title></rect>\n");
        }
    }

    private record Axes(double from, double to, double top, double plotTop, double plotBottom) {
        double x(double millis) {
            return LEFT + (millis - from) / (to - from) * (WIDTH - LEFT - RIGHT);
        }

        double y(double value) {
            return plotBottom - Math.min(value, top) / top * (plotBottom - plotTop);
        }
    }
}
