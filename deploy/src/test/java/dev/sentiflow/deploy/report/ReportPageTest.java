package dev.sentiflow.deploy.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page on hand-built data: text escaped, numbers shown, empty data said, nothing fetched. */
class ReportPageTest {

    private static final Pattern FIGURE = Pattern.compile("<figure class=\"chart\" data-chart=\"([a-z-]+)\"[^>]*?"
            + " data-expected=\"(\\d+)\">");

    @Test
    void everyTextIsEscaped() {
        String html = ReportPage.render(SampleReports.realistic());
        assertFalse(html.contains(SampleReports.NASTY), "raw text in the page");
        assertFalse(html.contains("<script>alert"), "a reason's markup reached the page");
        String escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;";
        // the refused round's reason, the promotion decision and the note
        assertEquals(3, occurrences(html, escaped), "escaped text in reason, decision and note");
        assertEquals(1, occurrences(html, "<script>"), "only the page's own check script");
    }

    @Test
    void showsTheNumbers() {
        String html = ReportPage.render(SampleReports.realistic());
        // held-out accuracy of the third round (0.9 + 0.02) in the gate table, its macro-F1, its throughput
        assertTrue(html.contains("<td class=\"n\">0.9200</td><td class=\"n\">0.9100</td>"), "gate table scores");
        assertTrue(html.contains("<td class=\"n\">50.5</td>"), "train samples/s");
        assertTrue(html.contains("REFUSE") && html.contains("PUBLISH") && html.contains("MAX_WAIT"), "decisions");
        // the confusion matrix cells and their row shares: 410 of 447 = 91.7%
        assertTrue(html.contains(">410<small>91.7%</small></td>"), "confusion cell");
        assertTrue(html.contains(">436<small>93.8%</small></td>"), "confusion cell");
        assertTrue(html.contains("accuracy 0.9276"), "the serving version's live accuracy: 846 of 912");
        // the live scores table: v2 overall 125 labeled, accuracy 0.9
        assertTrue(html.contains("<td>(overall)</td><td class=\"n\">125</td><td class=\"n\">0.9000</td>"), "live table");
        assertTrue(html.contains("889,352"), "checkpoint size");
        // the test scores table: v2 overall on 605 rows
        assertTrue(html.contains("<td>v2</td><td>(overall)</td><td class=\"n\">605</td><td class=\"n\">0.9140</td>"),
                "test table");
        assertTrue(html.contains("605 labeled rows of test-split.csv"), "names the test file");
    }

    @Test
    void everyChartDeclaresTheMarksItDrew() {
        String html = ReportPage.render(SampleReports.realistic());
        List<String[]> figures = figures(html);
        int rounds = 3;
        int versions = 3;
        int scopes = 1 + SampleReports.DOMAINS.size();
        // loss: raw and smoothed train loss, eval loss line, one point per epoch
        // test scores first: two versions on the fixed test file, overall and two domains
        assertEquals("test-scores", figures.get(0)[0], "the first chart");
        assertCharts(figures, "test-scores", 3, 2 * 2);
        assertCharts(figures, "loss", rounds, 3 + SampleReports.EPOCHS);
        assertCharts(figures, "heldout", scopes, 2 * rounds);
        assertCharts(figures, "live-scores", scopes, 2 * versions);
        assertCharts(figures, "live-window", 1, 2);
        assertCharts(figures, "throughput", 1, SampleReports.BUCKETS - SampleReports.EMPTY_BUCKETS.size());
        assertCharts(figures, "latency", 1, 2);
        assertTrue(html.contains("data-chart=\"confusion\" data-model=\"default\" data-version=\"2\" data-size=\"2\" "
                + "data-expected=\"4\""), "confusion matrix 2x2");
        assertEquals(4, occurrences(html, "<td class=\"mark\""));
    }

    @Test
    void emptyDataSaysSoInEverySectionAndDrawsNoChart() {
        String html = ReportPage.render(ReportData.empty(Instant.parse("2025-06-01T10:00:00Z"), "nowhere:9092"));
        for (String kind : List.of("test-scores", "loss", "heldout", "live-scores", "live-window", "confusion", "throughput", "gate",
                "promotions", "versions")) {
            assertTrue(html.contains("<p class=\"empty\" data-empty=\"" + kind + "\">No data yet."), kind + " note");
        }
        assertFalse(html.contains("data-chart="), "no chart without data");
        assertFalse(html.contains("<svg"), "no chart without data");
        assertTrue(html.contains("nowhere:9092"));
    }

    @Test
    void isSelfContained() {
        String html = ReportPage.render(SampleReports.realistic());
        String withoutNamespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for (String external : List.of("http:", "https:", "//cdn", "src=", "href=", "url(", "@import", "<link")) {
            assertFalse(withoutNamespace.contains(external), "the page refers to something outside it: " + external);
        }
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<style>") && html.trim().endsWith("</html>"));
    }

    private static void assertCharts(List<String[]> figures, String kind, int charts, int marks) {
        List<String[]> of = figures.stream().filter(f -> f[0].equals(kind)).toList();
        assertEquals(charts, of.size(), kind + " charts");
        for (String[] f : of) {
            assertEquals(marks, Integer.parseInt(f[1]), kind + " marks");
        }
    }

    static List<String[]> figures(String html) {
        List<String[]> out = new ArrayList<>();
        Matcher m = FIGURE.matcher(html);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
