package dev.sentiflow.deploy.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report in a real browser: Debian's headless Chromium loads the page from a file (no network),
 * its check script counts the marks the browser laid out, and this test reads the DOM Chromium
 * dumps: every chart drew all its marks, with the numbers of bars, lines, points and cells the data
 * calls for. A second test breaks marks on purpose and sees them reported as not drawn. The
 * screenshot is kept at {@code deploy/target/report-render/report.png}.
 *
 * <p>Without Chromium the tests are skipped, unless {@code SENTIFLOW_REQUIRE_CHROMIUM=true} (CI sets
 * it), which makes them fail instead.
 */
class ReportRenderIT {

    private static final Path OUT = Path.of("target", "report-render");
    private static final Pattern CHART = Pattern.compile("<(figure|table)\\b([^>]*\\bdata-chart=\"[^\"]*\"[^>]*)>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");
    private static final Pattern BODY = Pattern.compile("<body([^>]*)>");
    private static final Pattern PARSED_POINTS = Pattern.compile("data-parsed-points=\"(\\d+)\"");

    @TempDir
    Path scratch;

    @Test
    void everyChartDrawsInChromium() throws Exception {
        HeadlessChromium chromium = chromium();
        Files.createDirectories(OUT);
        Path page = OUT.resolve("report.html");
        Files.writeString(page, ReportPage.render(SampleReports.realistic()), StandardCharsets.UTF_8);

        String dom = chromium.dumpDom(page);
        Files.writeString(OUT.resolve("report-dom.html"), dom, StandardCharsets.UTF_8);
        List<Map<String, String>> charts = charts(dom);
        int scopes = 1 + SampleReports.DOMAINS.size();
        Map<String, Integer> chartsByKind = new LinkedHashMap<>();
        for (Map<String, String> chart : charts) {
            String kind = chart.get("data-chart");
            chartsByKind.merge(kind, 1, Integer::sum);
            assertEquals("true", chart.get("data-drawn"), "chart did not draw: " + chart);
            int marks = Integer.parseInt(chart.get("data-marks"));
            int expected = switch (kind) {
                case "test-scores" -> 2 * 2;                     // accuracy and macro-F1 of versions 1, 2
                case "loss" -> 3 + SampleReports.EPOCHS;       // raw, smoothed, eval line + a point per epoch
                case "heldout" -> 2 * 3;                         // accuracy and macro-F1 of 3 rounds
                case "live-scores" -> 2 * 3;                     // ... of versions 0, 1, 2
                case "live-window" -> 2;                         // a line per version
                case "confusion" -> 2 * 2;                       // negative/positive × negative/positive
                case "throughput" -> SampleReports.BUCKETS - SampleReports.EMPTY_BUCKETS.size();
                case "latency" -> 2;                             // p50 and p99
                default -> throw new AssertionError("unexpected chart " + kind);
            };
            assertEquals(expected, marks, kind + " marks drawn: " + chart);
        }
        assertEquals(Map.of("test-scores", 3, "loss", 3, "heldout", scopes, "live-scores", scopes, "live-window", 1, "confusion", 1,
                "throughput", 1, "latency", 1), chartsByKind);
        Map<String, String> body = attributes(matchOne(BODY, dom));
        assertEquals(String.valueOf(charts.size()), body.get("data-charts"));
        assertEquals(String.valueOf(charts.size()), body.get("data-charts-drawn"));

        // Each loss chart's raw and smoothed lines hold every step as the browser parsed them.
        List<String> lossFigures = figures(dom, "loss");
        assertEquals(3, lossFigures.size());
        for (String figure : lossFigures) {
            List<Integer> points = new ArrayList<>();
            Matcher m = PARSED_POINTS.matcher(figure);
            while (m.find()) {
                points.add(Integer.parseInt(m.group(1)));
            }
            assertEquals(List.of(SampleReports.STEPS, SampleReports.STEPS, SampleReports.EPOCHS), points, figure);
        }

        Path png = OUT.resolve("report.png");
        chromium.screenshot(page, png, 1280, 2400);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1280, image.getWidth());
        assertEquals(2400, image.getHeight());
        // The bars and lines are there in pixels too: plenty of the accuracy blue and the macro-F1 orange.
        assertTrue(pixels(image, 0x1f77b4) > 2000, "accuracy-blue pixels: " + pixels(image, 0x1f77b4));
        assertTrue(pixels(image, 0xff7f0e) > 2000, "macro-F1-orange pixels: " + pixels(image, 0xff7f0e));
        System.out.println("ReportRenderIT: " + charts.size() + " charts drew; screenshot " + png.toAbsolutePath());
    }

    @Test
    void aChartThatDidNotDrawIsCaught() throws Exception {
        HeadlessChromium chromium = chromium();
        String html = ReportPage.render(SampleReports.realistic());
        // A bar with a height the browser cannot use, a line through NaN, a hidden matrix cell.
        String broken = replaceFirst(html, "<rect class=\"mark\" x=\"", "<rect class=\"mark\" height=\"NaN\" x=\"");
        int latency = broken.indexOf("data-chart=\"latency\"");
        int path = broken.indexOf("<path class=\"mark\"", latency);
        int d = broken.indexOf(" d=\"M", path);
        broken = broken.substring(0, d) + " d=\"M NaN 0 L" + broken.substring(d + " d=\"M".length());
        broken = replaceFirst(broken, "<td class=\"mark\"", "<td class=\"mark\" hidden");
        Path page = scratch.resolve("broken.html");
        Files.writeString(page, broken, StandardCharsets.UTF_8);

        List<Map<String, String>> charts = charts(chromium.dumpDom(page));
        List<String> undrawn = charts.stream().filter(c -> !"true".equals(c.get("data-drawn")))
                .map(c -> c.get("data-chart")).toList();
        assertEquals(List.of("test-scores", "confusion", "latency"), undrawn);
        Map<String, String> latencyChart = charts.stream().filter(c -> c.get("data-chart").equals("latency"))
                .findFirst().orElseThrow();
        assertEquals("1", latencyChart.get("data-marks"), "one of two latency lines is left");
    }

    private HeadlessChromium chromium() {
        var found = HeadlessChromium.find(scratch);
        if (found.isEmpty()) {
            String message = "no headless Chromium (install Debian's package '" + HeadlessChromium.PACKAGE
                    + "': apt-get install chromium, or set SENTIFLOW_CHROMIUM to its binary)";
            if ("true".equalsIgnoreCase(System.getenv("SENTIFLOW_REQUIRE_CHROMIUM"))) {
                fail(message + "; SENTIFLOW_REQUIRE_CHROMIUM=true makes this test mandatory");
            }
            Assumptions.assumeTrue(false, message);
        }
        return found.get();
    }

    private static List<Map<String, String>> charts(String dom) {
        List<Map<String, String>> out = new ArrayList<>();
        Matcher m = CHART.matcher(dom);
        while (m.find()) {
            out.add(attributes(m.group(2)));
        }
        return out;
    }

    /** The markup of each {@code <figure data-chart="KIND">} up to its end. */
    private static List<String> figures(String dom, String kind) {
        List<String> out = new ArrayList<>();
        String start = "<figure class=\"chart\" data-chart=\"" + kind + "\"";
        for (int i = dom.indexOf(start); i >= 0; i = dom.indexOf(start, i + 1)) {
            out.add(dom.substring(i, dom.indexOf("</figure>", i)));
        }
        return out;
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(tag);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static String matchOne(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), "no " + pattern + " in the DOM");
        return m.group(1);
    }

    private static String replaceFirst(String text, String what, String with) {
        int i = text.indexOf(what);
        assertTrue(i >= 0, what);
        return text.substring(0, i) + with + text.substring(i + what.length());
    }

    /** Pixels within a small distance of {@code rgb}. */
    private static int pixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                if (Math.abs(((p >> 16) & 0xff) - ((rgb >> 16) & 0xff)) < 12
                        && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) < 12
                        && Math.abs((p & 0xff) - (rgb & 0xff)) < 12) {
                    n++;
                }
            }
        }
        return n;
    }
}
