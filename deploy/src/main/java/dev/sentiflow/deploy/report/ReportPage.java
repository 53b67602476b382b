package dev.sentiflow.deploy.report;

import static dev.sentiflow.deploy.report.Html.count;
import static dev.sentiflow.deploy.report.Html.esc;
import static dev.sentiflow.deploy.report.Html.num;

import dev.sentiflow.model.report.LossCurveSvg;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link ReportData} as one self-contained HTML page: the style sheet and a small check
 * script are inlined, every chart is inline SVG drawn here, and nothing refers to another file or
 * address. Sections: summary, test scores by version (when given), loss per round, held-out scores
 * by round, live scores by version,
 * live accuracy over time, the confusion matrix of each model's newest version, throughput and
 * latency, the gate's decisions, promotions and rollbacks, the checkpoints on {@code models}. A
 * section without data says so instead of drawing an empty chart.
 *
 * <p>Every chart is a {@code <figure class="chart" data-chart="KIND">} whose data marks carry
 * {@code class="mark"}; {@code data-expected} says how many were drawn. The inline script (see
 * {@code report-check.js}) counts the marks the browser actually laid out and sets
 * {@code data-marks} and {@code data-drawn}, which the browser test reads.
 */
public final class ReportPage {

    static final String ACCURACY_COLOUR = "#1f77b4";
    static final String F1_COLOUR = "#ff7f0e";
    private static final List<String> PALETTE = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");
    private static final Pattern MARK = Pattern.compile("class=\"mark\"");
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final StringBuilder html = new StringBuilder(64 * 1024);

    private ReportPage() {
    }

    public static String render(ReportData data) {
        ReportPage page = new ReportPage();
        page.page(data);
        return page.html.toString();
    }

    private void page(ReportData d) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>sentiflow report</title>\n<style>\n").append(resource("report.css"))
                .append("</style>\n</head>\n<body>\n");
        header(d);
        testScores(d);
        loss(d);
        heldOut(d);
        liveScores(d);
        liveOverTime(d);
        confusion(d);
        traffic(d);
        gate(d);
        liveDecisions(d);
        versions(d);
        html.append("<script>\n").append(resource("report-check.js")).append("</script>\n</body>\n</html>\n");
    }

    private void header(ReportData d) {
        html.append("<h1>sentiflow pipeline report</h1>\n<p class=\"meta\">generated ").append(esc(WHEN.format(d.generatedAt())))
                .append(" from ").append(esc(d.source())).append("</p>\n<dl class=\"summary\">\n");
        long published = d.rounds().stream().filter(RoundOutcome::published).count();
        stat("training rounds", count(d.rounds().size()));
        stat("versions published", count(published));
        stat("refused by the gate", count(d.rounds().size() - published));
        stat("predictions", count(d.predictions()));
        stat("with a true label", count(d.labeledPredictions()));
        d.confusions().forEach(c -> stat("live accuracy " + c.model() + " v" + c.version(),
                num(accuracy(c), 3)));
        html.append("</dl>\n");
        if (!d.notes().isEmpty()) {
            html.append("<ul class=\"notes\">\n");
            d.notes().forEach(n -> html.append("<li>").append(esc(n)).append("</li>\n"));
            html.append("</ul>\n");
        }
    }

    private void stat(String name, String value) {
        html.append("<div><dt>").append(esc(name)).append("</dt><dd>").append(value).append("</dd></div>\n");
    }

    private void loss(ReportData d) {
        section("Training loss per round", "loss");
        if (d.lossCurves().isEmpty()) {
            empty("loss", "No training round has committed yet (training.metrics has no STEP records).");
            return;
        }
        hint("Training loss per optimizer step (light: raw, dark: moving average) and evaluation loss after each "
                + "epoch (red), one chart per round.");
        html.append("<div class=\"charts\">\n");
        for (LossCurve c : d.lossCurves()) {
            List<LossCurveSvg.EvalPoint> evals = c.evalLoss().stream()
                    .map(e -> new LossCurveSvg.EvalPoint((int) e.step(), e.loss())).toList();
            String svg = LossCurveSvg.render(c.title(), c.trainLoss(), evals);
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("model", c.model());
            attrs.put("round", String.valueOf(c.round()));
            attrs.put("attempt", String.valueOf(c.attempt()));
            attrs.put("steps", String.valueOf(c.trainLoss().size()));
            figure("loss", attrs, svg, c.trainLoss().size() + " steps, " + c.evalLoss().size() + " epochs"
                    + (c.trainLoss().isEmpty() ? "" : ", last train loss " + num(c.trainLoss().get(c.trainLoss().size() - 1), 4)));
        }
        html.append("</div>\n");
    }

    private void heldOut(ReportData d) {
        section("Held-out evaluation by round", "heldout");
        if (d.rounds().isEmpty()) {
            empty("heldout", "No training round has committed yet (training.metrics has no ROUND records).");
            return;
        }
        hint("The candidate of each round on the trainer's held-out set (a stable hash of the review id, never "
                + "trained on), overall and per domain. \u2717 = refused by the gate.");
        List<String> categories = d.rounds().stream().map(ReportPage::roundLabel).toList();
        TreeSet<String> domains = new TreeSet<>();
        d.rounds().forEach(r -> domains.addAll(r.perDomain().keySet()));
        html.append("<div class=\"charts\">\n");
        scoreChart("heldout", "(overall)", "held-out, overall", categories, d.rounds(), RoundOutcome::heldOut);
        for (String domain : domains) {
            scoreChart("heldout", domain, "held-out, " + domain, categories, d.rounds(), r -> r.perDomain().get(domain));
        }
        html.append("</div>\n");
    }

    private void testScores(ReportData d) {
        section("Test accuracy and macro-F1 by model version", "test-scores");
        TestScores t = d.test();
        if (t.versions().isEmpty()) {
            empty("test-scores", "No test scores" + (t.source().isEmpty() ? " were given" : " in " + t.source())
                    + ". ./pipeline evaluate --models INFERENCE.properties --file TEST.csv --out scores.json scores "
                    + "every version on one labeled file; report --test-scores scores.json draws them here (./pipeline "
                    + "local does both on its fixed test split).");
            return;
        }
        hint("Every version on the same " + count(t.rows()) + " labeled rows of " + t.file() + " (never streamed, "
                + "so never trained on), overall and per domain: the one chart where versions are compared on the "
                + "same examples. Scored by ./pipeline evaluate, read from " + t.source() + ".");
        versionCharts("test-scores", "test", t.versions());
    }

    private void liveScores(ReportData d) {
        section("Live accuracy and macro-F1 by model version", "live-scores");
        if (d.liveScores().isEmpty()) {
            empty("live-scores", "No scored prediction carried a true label yet (predictions has "
                    + count(d.predictions()) + " records, none labeled).");
            return;
        }
        hint("Every labeled prediction each served version made (predictions with a true label), overall and per "
                + "domain.");
        versionCharts("live-scores", "live", d.liveScores());
    }

    /** Accuracy and macro-F1 by version, overall and per domain, then the same numbers as a table. */
    private void versionCharts(String kind, String what, List<VersionScores> scores) {
        boolean severalModels = scores.stream().map(VersionScores::model).distinct().count() > 1;
        List<String> categories = scores.stream()
                .map(v -> (severalModels ? v.model() + " " : "") + "v" + v.version()).toList();
        TreeSet<String> domains = new TreeSet<>();
        scores.forEach(v -> domains.addAll(v.perDomain().keySet()));
        html.append("<div class=\"charts\">\n");
        scoreChart(kind, "(overall)", what + ", overall", categories, scores, VersionScores::overall);
        for (String domain : domains) {
            scoreChart(kind, domain, what + ", " + domain, categories, scores, v -> v.perDomain().get(domain));
        }
        html.append("</div>\n<div class=\"scroll\"><table class=\"").append(kind).append("\">\n<tr><th>model</th>"
                + "<th>version</th><th>scope</th><th>labeled</th><th>accuracy</th><th>macro-F1</th></tr>\n");
        for (VersionScores v : scores) {
            scoreRow(v.model(), "v" + v.version(), "(overall)", v.overall());
            v.perDomain().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> scoreRow(v.model(), "v" + v.version(), e.getKey(), e.getValue()));
        }
        html.append("</table></div>\n");
    }

    private void scoreRow(String model, String version, String scope, Scores s) {
        html.append("<tr><td>").append(esc(model)).append("</td><td>").append(esc(version)).append("</td><td>")
                .append(esc(scope)).append("</td><td class=\"n\">").append(count(s.count())).append("</td><td class=\"n\">")
                .append(num(s.accuracy(), 4)).append("</td><td class=\"n\">").append(num(s.macroF1(), 4))
                .append("</td></tr>\n");
    }

    private <T> void scoreChart(String kind, String scope, String title, List<String> categories, List<T> items,
            Function<T, Scores> scores) {
        List<Double> accuracy = new ArrayList<>();
        List<Double> f1 = new ArrayList<>();
        for (T item : items) {
            Scores s = scores.apply(item);
            accuracy.add(s == null ? Double.NaN : s.accuracy());
            f1.add(s == null ? Double.NaN : s.macroF1());
        }
        String svg = BarChartSvg.render(title, "score", categories, List.of(
                new BarChartSvg.Series("accuracy", ACCURACY_COLOUR, accuracy),
                new BarChartSvg.Series("macro-F1", F1_COLOUR, f1)), 1.0);
        figure(kind, Map.of("scope", scope), svg, null);
    }

    private void liveOverTime(ReportData d) {
        section("Live accuracy over time", "live-window");
        if (d.live().isEmpty()) {
            empty("live-window", "Inference has not published live metrics yet (metrics.live is empty).");
            return;
        }
        hint("Accuracy of each served version over its window of recent labeled predictions, as inference reports "
                + "it on metrics.live (one report per input partition and interval).");
        Map<String, List<TimeChartSvg.Point>> byVersion = new LinkedHashMap<>();
        d.live().stream().sorted(java.util.Comparator.comparing(LivePoint::at)).forEach(p ->
                byVersion.computeIfAbsent(p.model() + " v" + p.version() + ("CHAMPION".equals(p.role()) ? ""
                        : " " + p.role().toLowerCase(Locale.ROOT)), k -> new ArrayList<>())
                        .add(new TimeChartSvg.Point(p.at(), p.accuracy())));
        List<TimeChartSvg.Series> series = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<TimeChartSvg.Point>> e : byVersion.entrySet()) {
            series.add(new TimeChartSvg.Series(e.getKey(), PALETTE.get(i++ % PALETTE.size()), e.getValue()));
        }
        html.append("<div class=\"charts\">\n");
        figure("live-window", Map.of("series", String.valueOf(series.size())),
                TimeChartSvg.render("live accuracy (metrics.live)", "accuracy", series, TimeChartSvg.Style.LINES,
                        Duration.ZERO), d.live().size() + " reports");
        html.append("</div>\n");
    }

    private void confusion(ReportData d) {
        section("Confusion matrix of the serving model", "confusion");
        if (d.confusions().isEmpty()) {
            empty("confusion", "No labeled predictions yet, so no confusion matrix.");
            return;
        }
        hint("Rows: the true label; columns: the prediction. Each cell: the count and its share of the row (recall "
                + "on the diagonal), shaded by that share. The newest version of each model that has labeled "
                + "predictions.");
        for (Confusion c : d.confusions()) {
            int n = c.labels().size();
            html.append("<h3>").append(esc(c.model())).append(" v").append(c.version()).append(": ")
                    .append(count(c.total())).append(" labeled predictions, accuracy ").append(num(accuracy(c), 4))
                    .append("</h3>\n<div class=\"scroll\"><table class=\"confusion\" data-chart=\"confusion\" data-model=\"")
                    .append(esc(c.model())).append("\" data-version=\"").append(c.version()).append("\" data-size=\"")
                    .append(n).append("\" data-expected=\"").append(n * n).append("\">\n<tr><th>true \u2193 / predicted \u2192</th>");
            c.labels().forEach(l -> html.append("<th>").append(esc(l)).append("</th>"));
            html.append("<th>total</th></tr>\n");
            for (int t = 0; t < n; t++) {
                long row = c.rowTotal(t);
                html.append("<tr><th>").append(esc(c.labels().get(t))).append("</th>");
                for (int p = 0; p < n; p++) {
                    long k = c.count(t, p);
                    double share = row == 0 ? 0 : (double) k / row;
                    String rgb = t == p ? "30,123,52" : "179,38,30";
                    html.append("<td class=\"mark\" data-count=\"").append(k).append("\" style=\"background: rgba(")
                            .append(rgb).append(',').append(String.format(Locale.ROOT, "%.3f", 0.08 + 0.72 * share))
                            .append(");").append(share > 0.55 ? " color: #fff;" : "").append("\">").append(count(k))
                            .append("<small>").append(num(100 * share, 1)).append("%</small></td>");
                }
                html.append("<td class=\"n\">").append(count(row)).append("</td></tr>\n");
            }
            html.append("</table></div>\n");
        }
    }

    private void traffic(ReportData d) {
        section("Throughput and latency", "traffic");
        if (d.traffic().isEmpty()) {
            empty("throughput", "No predictions yet, so no throughput or latency.");
            return;
        }
        Duration width = d.traffic().get(0).width();
        hint("Predictions scored per second (by scoredAt) in buckets of " + describe(width)
                + ", and latency from the review's event time to its score (scoredAt \u2212 eventTime) at the median "
                + "and the 99th percentile. Latency includes waiting for the first model and any backlog.");
        List<TimeChartSvg.Point> rate = new ArrayList<>();
        List<TimeChartSvg.Point> p50 = new ArrayList<>();
        List<TimeChartSvg.Point> p99 = new ArrayList<>();
        double maxLatency = 0;
        for (TrafficBucket b : d.traffic()) {
            if (Double.isFinite(b.p99Millis())) {
                maxLatency = Math.max(maxLatency, b.p99Millis());
            }
        }
        double unit = maxLatency >= 5000 ? 1000 : 1;
        for (TrafficBucket b : d.traffic()) {
            rate.add(new TimeChartSvg.Point(b.start(), b.perSecond()));
            java.time.Instant middle = b.start().plus(b.width().dividedBy(2));
            p50.add(new TimeChartSvg.Point(middle, b.p50Millis() / unit));
            p99.add(new TimeChartSvg.Point(middle, b.p99Millis() / unit));
        }
        html.append("<div class=\"charts\">\n");
        figure("throughput", Map.of("buckets", String.valueOf(d.traffic().size())),
                TimeChartSvg.render("throughput", "predictions / s", List.of(new TimeChartSvg.Series("predictions/s",
                        ACCURACY_COLOUR, rate)), TimeChartSvg.Style.BARS, width),
                count(d.predictions()) + " predictions in " + d.traffic().size() + " buckets");
        figure("latency", Map.of("buckets", String.valueOf(d.traffic().size())),
                TimeChartSvg.render("latency", unit == 1 ? "milliseconds" : "seconds", List.of(
                        new TimeChartSvg.Series("p50", "#2ca02c", p50), new TimeChartSvg.Series("p99", "#d62728", p99)),
                        TimeChartSvg.Style.LINES, width), null);
        html.append("</div>\n");
    }

    private void gate(ReportData d) {
        section("Gate decisions", "gate");
        if (d.rounds().isEmpty()) {
            empty("gate", "No training round has committed yet, so no gate decision.");
            return;
        }
        html.append("<div class=\"scroll\"><table class=\"gate\">\n<tr><th>model</th><th>round</th><th>version</th>"
                + "<th>decision</th><th>trigger</th><th>champion</th><th>held-out accuracy</th><th>macro-F1</th>"
                + "<th>train examples</th><th>wall s</th><th>train samples/s</th><th>reason</th></tr>\n");
        for (RoundOutcome r : d.rounds()) {
            html.append("<tr class=\"").append(r.published() ? "published" : "refused").append("\"><td>")
                    .append(esc(r.model())).append("</td><td class=\"n\">").append(r.round())
                    .append(r.attempt() > 1 ? " (attempt " + r.attempt() + ")" : "").append("</td><td>")
                    .append(r.published() ? "v" + r.round() : "\u2013").append("</td><td class=\"decision\">")
                    .append(esc(r.decision())).append("</td><td>").append(esc(r.trigger()));
            if (!r.triggerDetail().isEmpty()) {
                html.append("<br><small>").append(esc(r.triggerDetail())).append("</small>");
            }
            html.append("</td><td>").append(esc(r.champion())).append("</td><td class=\"n\">")
                    .append(num(r.heldOut().accuracy(), 4)).append("</td><td class=\"n\">")
                    .append(num(r.heldOut().macroF1(), 4)).append("</td><td class=\"n\">").append(count(r.trainExamples()))
                    .append("</td><td class=\"n\">").append(num(r.wallSeconds(), 1)).append("</td><td class=\"n\">")
                    .append(num(r.trainSamplesPerSecond(), 1)).append("</td><td>").append(esc(r.reason()));
            if (!r.table().isBlank()) {
                html.append("<details><summary>per-domain table</summary><pre>").append(esc(r.table()))
                        .append("</pre></details>");
            }
            html.append("</td></tr>\n");
        }
        html.append("</table></div>\n");
    }

    private void liveDecisions(ReportData d) {
        section("Promotions and rollbacks", "promotions");
        List<LivePoint> decided = d.live().stream().filter(p -> p.decision() != null).toList();
        if (decided.isEmpty()) {
            empty("promotions", "No promotion or rollback has been decided on live traffic yet.");
            return;
        }
        html.append("<table class=\"promotions\">\n<tr><th>time</th><th>model</th><th>version</th><th>role</th>"
                + "<th>labeled</th><th>accuracy</th><th>decision</th></tr>\n");
        for (LivePoint p : decided) {
            html.append("<tr><td>").append(esc(WHEN.format(p.at()))).append("</td><td>").append(esc(p.model()))
                    .append("</td><td>v").append(p.version()).append("</td><td>").append(esc(p.role()))
                    .append("</td><td class=\"n\">").append(count(p.labeledCount())).append("</td><td class=\"n\">")
                    .append(num(p.accuracy(), 4)).append("</td><td>").append(esc(p.decision())).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void versions(ReportData d) {
        section("Checkpoints on the models topic", "versions");
        if (d.versions().isEmpty()) {
            empty("versions", "No checkpoint on the models topic yet.");
            return;
        }
        hint("The topic is compacted, so only each model's newest chunks are sure to be kept; the gate table above "
                + "lists every version ever published.");
        html.append("<table class=\"versions\">\n<tr><th>model</th><th>version</th><th>kind</th><th>created</th>"
                + "<th>parent</th><th>chunks</th><th>bytes</th><th>labels</th><th>accuracy</th><th>macro-F1</th></tr>\n");
        for (ModelVersion v : d.versions()) {
            html.append("<tr><td>").append(esc(v.model())).append("</td><td>v").append(v.version()).append("</td><td>")
                    .append(esc(v.kind())).append("</td><td>").append(esc(WHEN.format(v.createdAt()))).append("</td><td>")
                    .append(v.parentVersion() == null ? "base" : "v" + v.parentVersion()).append("</td><td class=\"n\">")
                    .append(v.chunks()).append("</td><td class=\"n\">").append(count(v.bytes())).append("</td><td>")
                    .append(esc(String.join(", ", v.labels()))).append("</td><td class=\"n\">")
                    .append(num(v.metrics().getOrDefault("accuracy", Double.NaN), 4)).append("</td><td class=\"n\">")
                    .append(num(v.metrics().getOrDefault("macro_f1", Double.NaN), 4)).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void section(String title, String id) {
        html.append("<h2 id=\"").append(esc(id)).append("\">").append(esc(title)).append("</h2>\n");
    }

    private void hint(String text) {
        html.append("<p class=\"hint\">").append(esc(text)).append("</p>\n");
    }

    private void empty(String kind, String text) {
        html.append("<p class=\"empty\" data-empty=\"").append(esc(kind)).append("\">No data yet. ").append(esc(text))
                .append("</p>\n");
    }

    private void figure(String kind, Map<String, String> attrs, String svg, String caption) {
        int marks = marks(svg);
        if (marks == 0) {
            empty(kind, "Nothing to draw" + (attrs.containsKey("scope") ? " for " + attrs.get("scope") : "") + ".");
            return;
        }
        html.append("<figure class=\"chart\" data-chart=\"").append(esc(kind)).append('"');
        attrs.forEach((k, v) -> html.append(" data-").append(k).append("=\"").append(esc(v)).append('"'));
        html.append(" data-expected=\"").append(marks).append("\">\n").append(svg).append('\n');
        if (caption != null) {
            html.append("<figcaption>").append(esc(caption)).append("</figcaption>\n");
        }
        html.append("</figure>\n");
    }

    /** How many data marks an SVG drew. */
    static int marks(String svg) {
        Matcher m = MARK.matcher(svg);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String roundLabel(RoundOutcome r) {
        return (r.model().equals("default") ? "" : r.model() + " ") + "r" + r.round()
                + (r.attempt() > 1 ? " #" + r.attempt() : "") + (r.published() ? "" : " \u2717");
    }

    private static double accuracy(Confusion c) {
        long correct = 0;
        for (int i = 0; i < c.labels().size(); i++) {
            correct += c.count(i, i);
        }
        return c.total() == 0 ? Double.NaN : (double) correct / c.total();
    }

    private static String describe(Duration d) {
        long s = d.toSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + (s == 86400 ? " day" : " days");
        }
        if (s % 3600 == 0) {
            return s / 3600 + (s == 3600 ? " hour" : " hours");
        }
        if (s % 60 == 0) {
            return s / 60 + (s == 60 ? " minute" : " minutes");
        }
        return s + (s == 1 ? " second" : " seconds");
    }

    private static String resource(String name) {
        try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
