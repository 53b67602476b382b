package dev.sentiflow.deploy.report;

import static dev.sentiflow.deploy.report.Html.esc;
import static dev.sentiflow.deploy.report.Html.xy;

import java.util.List;

/** What every chart of the report shares: the {@code <svg>} element, title, axes lines, legend. */
final class Frame {

    private Frame() {
    }

    static void open(StringBuilder svg, int width, int height, String title) {
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n")
                .append("<text class=\"title\" x=\"8\" y=\"18\">").append(esc(title)).append("</text>\n");
    }

    static void axes(StringBuilder svg, double left, double top, double right, double bottom) {
        svg.append("<polyline class=\"axis\" fill=\"none\" points=\"").append(xy(left)).append(',').append(xy(top))
                .append(' ').append(xy(left)).append(',').append(xy(bottom)).append(' ').append(xy(right)).append(',')
                .append(xy(bottom)).append("\"/>\n");
    }

    static void yLabel(StringBuilder svg, String label, double middle) {
        svg.append("<text class=\"axis-label\" x=\"12\" y=\"").append(xy(middle))
                .append("\" text-anchor=\"middle\" transform=\"rotate(-90 12 ").append(xy(middle)).append(")\">")
                .append(esc(label)).append("</text>\n");
    }

    /** Legend entries flowing left to right under the title from {@code left}, wrapping before {@code right}. */
    static void legend(StringBuilder svg, double left, double right, List<String> names, List<String> colours) {
        double x = left;
        double y = 30;
        for (int i = 0; i < names.size(); i++) {
            double width = entryWidth(names.get(i));
            if (x > left && x + width > right) {
                x = left;
                y += ROW;
            }
            svg.append("<rect class=\"key\" x=\"").append(xy(x)).append("\" y=\"").append(xy(y))
                    .append("\" width=\"11\" height=\"11\" fill=\"").append(esc(colours.get(i)))
                    .append("\"/><text class=\"legend\" x=\"").append(xy(x + 15)).append("\" y=\"").append(xy(y + 10))
                    .append("\">").append(esc(names.get(i))).append("</text>\n");
            x += width;
        }
    }

    /** The top of the plot area below the title and a legend laid out as {@link #legend} does. */
    static double plotTop(double left, double right, List<String> names) {
        int rows = names.isEmpty() ? 0 : 1;
        double x = left;
        for (String name : names) {
            double width = entryWidth(name);
            if (x > left && x + width > right) {
                x = left;
                rows++;
            }
            x += width;
        }
        return 34 + rows * ROW;
    }

    private static final double ROW = 16;

    private static double entryWidth(String name) {
        return 15 + 6.4 * name.length() + 14;
    }
}
