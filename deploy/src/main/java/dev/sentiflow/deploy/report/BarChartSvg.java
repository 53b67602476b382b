package dev.sentiflow.deploy.report;

import static dev.sentiflow.deploy.report.Html.esc;
import static dev.sentiflow.deploy.report.Html.xy;

import java.util.List;

/**
 * A grouped bar chart as inline SVG: one group per category (a round, a version), one bar per series
 * (accuracy, macro-F1), the value written above each bar when there is room. Every bar is a
 * {@code rect class="mark"} with a tooltip; a missing value (NaN) draws no bar.
 */
final class BarChartSvg {

    /** One series: its name in the legend, its colour, one value per category. */
    record Series(String name, String colour, List<Double> values) {
    }

    static final int WIDTH = 640;
    static final int HEIGHT = 300;
    private static final int LEFT = 52;
    private static final int RIGHT = 12;
    private static final int BOTTOM = 56;
    /** Above a full-height bar, room for its value (10 px text, see report.css) clear of the legend. */
    static final int VALUE_ROOM = 14;

    private BarChartSvg() {
    }

    /**
     * @param yMax the top of the value axis (1 for scores), or NaN to fit the data
     */
    static String render(String title, String yLabel, List<String> categories, List<Series> series, double yMax) {
        double max = yMax;
        if (Double.isNaN(max)) {
            max = 0;
            for (Series s : series) {
                for (double v : s.values()) {
                    if (Double.isFinite(v)) {
                        max = Math.max(max, v);
                    }
                }
            }
            max = Ticks.top(max, 5);
        }
        List<String> names = series.stream().map(Series::name).toList();
        double top = Frame.plotTop(LEFT, WIDTH - RIGHT, names) + VALUE_ROOM;
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - top - BOTTOM;
        StringBuilder svg = new StringBuilder(4096);
        Frame.open(svg, WIDTH, HEIGHT, title);
        double step = Ticks.step(max, 5);
        for (double v = 0; v <= max + step * 1e-6; v += step) {
            double y = top + plotH - v / max * plotH;
            svg.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y1=\"").append(xy(y)).append("\" y2=\"").append(xy(y)).append("\"/>")
                    .append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(xy(y + 4))
                    .append("\" text-anchor=\"end\">").append(Ticks.label(v, step)).append("</text>\n");
        }
        Frame.yLabel(svg, yLabel, top + plotH / 2);
        int n = Math.max(1, categories.size());
        double group = plotW / n;
        double bar = Math.min(48, group * 0.8 / Math.max(1, series.size()));
        boolean rotate = categories.size() > 10;
        for (int c = 0; c < categories.size(); c++) {
            double groupX = LEFT + c * group + (group - bar * series.size()) / 2;
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values().get(c);
                if (!Double.isFinite(v)) {
                    continue;
                }
                double h = Math.max(1, Math.min(v, max) / max * plotH);
                double x = groupX + s * bar;
                double y = top + plotH - h;
                svg.append("<rect class=\"mark\" x=\"").append(xy(x)).append("\" y=\"").append(xy(y))
                        .append("\" width=\"").append(xy(Math.max(1, bar - 2))).append("\" height=\"").append(xy(h))
                        .append("\" fill=\"").append(esc(series.get(s).colour())).append("\"><title>")
                        .append(esc(categories.get(c) + " " + series.get(s).name() + ": " + Html.num(v, 4)))
                        .append("</title></rect>");
                if (bar >= 24) {
                    svg.append("<text class=\"value\" x=\"").append(xy(x + (bar - 2) / 2)).append("\" y=\"")
                            .append(xy(y - 3)).append("\" text-anchor=\"middle\">").append(Html.num(v, 3))
                            .append("</text>");
                }
                svg.append('\n');
            }
            double labelX = LEFT + c * group + group / 2;
            double labelY = top + plotH + 16;
            svg.append("<text class=\"tick\" x=\"").append(xy(labelX)).append("\" y=\"").append(xy(labelY)).append('"');
            if (rotate) {
                svg.append(" text-anchor=\"end\" transform=\"rotate(-40 ").append(xy(labelX)).append(' ')
                        .append(xy(labelY)).append(")\"");
            } else {
                svg.append(" text-anchor=\"middle\"");
            }
            svg.append('>').append(esc(categories.get(c))).append("</text>\n");
        }
        Frame.axes(svg, LEFT, top, WIDTH - RIGHT, top + plotH);
        Frame.legend(svg, LEFT, WIDTH - RIGHT, names, series.stream().map(Series::colour).toList());
        svg.append("</svg>");
        return svg.toString();
    }
}
