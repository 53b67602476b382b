package dev.sentiflow.deploy.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BarChartSvgTest {

    private static final Pattern VALUE = Pattern.compile("<text class=\"value\" x=\"[^\"]+\" y=\"([0-9.]+)\"");
    private static final Pattern KEY = Pattern.compile("<rect class=\"key\" x=\"[^\"]+\" y=\"([0-9.]+)\" width=\"11\" height=\"11\"");

    @Test
    void theValueOfAFullHeightBarIsWrittenBelowTheLegend() {
        String svg = BarChartSvg.render("held-out, imdb", "score", List.of("r1", "r2"),
                List.of(new BarChartSvg.Series("accuracy", "#1f77b4", List.of(1.0, 0.89)),
                        new BarChartSvg.Series("macro-F1", "#ff7f0e", List.of(1.0, 0.88))), 1);
        double legendBottom = 0;
        Matcher key = KEY.matcher(svg);
        while (key.find()) {
            legendBottom = Math.max(legendBottom, Double.parseDouble(key.group(1)) + 11);
        }
        assertTrue(legendBottom > 0, svg);
        Matcher value = VALUE.matcher(svg);
        int values = 0;
        while (value.find()) {
            values++;
            double glyphTop = Double.parseDouble(value.group(1)) - 10; // baseline minus the 10 px font
            assertTrue(glyphTop >= legendBottom + 2, "value at y " + value.group(1) + " overlaps the legend ending at "
                    + legendBottom + ":\n" + svg);
        }
        assertTrue(values == 4, "one value per bar:\n" + svg);
    }
}
