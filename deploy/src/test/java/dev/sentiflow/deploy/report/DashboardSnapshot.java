package dev.sentiflow.deploy.report;

import dev.sentiflow.testkit.PrometheusText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The panels of {@code deploy/grafana/sentiflow.json}, rendered here from the same metrics because no
 * Grafana can be had on the development machine: it scrapes a running local stack's three endpoints
 * (found in the children's logs) every few seconds, computes what each panel's query computes (rates
 * between scrapes, the newest gauge values, quantiles from histogram buckets), draws the charts as
 * the report does and, when Chromium is there, screenshots the page.
 *
 * <p>Run beside {@code ./pipeline local}: {@code ./bench dashboard [--workdir runs/local] [--minutes 5]
 * [--out deploy/docs/dashboard.png]}.
 */
public final class DashboardSnapshot {

    private static final Pattern PORT = Pattern.compile("metrics on http://[^:]+:(\\d+)/metrics");
    private static final List<String> SERVICES = List.of("ingest", "trainer", "inference");
    private static final List<String> PALETTE = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");

    private record Scrape(Instant at, Map<String, PrometheusText> byService) {}

    private DashboardSnapshot() {
    }

    public static void main(String[] args) throws Exception {
        Path workdir = Path.of(option(args, "--workdir", "runs/local"));
        double minutes = Double.parseDouble(option(args, "--minutes", "5"));
        Path png = Path.of(option(args, "--out", "deploy/docs/dashboard.png"));
        Map<String, Integer> ports = awaitPorts(workdir.resolve("logs"), Duration.ofMinutes(3));
        System.out.println("dashboard: scraping " + ports + " every 5 s for " + minutes + " min");
        List<Scrape> scrapes = new ArrayList<>();
        long end = System.nanoTime() + (long) (minutes * 60e9);
        while (System.nanoTime() < end) {
            Map<String, PrometheusText> one = new LinkedHashMap<>();
            for (var e : ports.entrySet()) {
                try {
                    one.put(e.getKey(), PrometheusText.scrape(e.getValue()));
                } catch (java.io.IOException ex) {
                    // a child not answering (stopped): this scrape goes without it
                }
            }
            if (one.isEmpty() && !scrapes.isEmpty()) {
                break; // the stack is gone
            }
            scrapes.add(new Scrape(Instant.now(), one));
            Thread.sleep(5000); // the scrape interval
        }
        Path html = png.resolveSibling(png.getFileName().toString().replace(".png", ".html"));
        Files.createDirectories(html.toAbsolutePath().getParent());
        Files.writeString(html, page(scrapes), StandardCharsets.UTF_8);
        System.out.println("dashboard: " + scrapes.size() + " scrapes drawn in " + html);
        Optional<HeadlessChromium> chromium = HeadlessChromium.find(Files.createTempDirectory("dashboard"));
        if (chromium.isPresent()) {
            chromium.get().screenshot(html.toAbsolutePath(), png.toAbsolutePath(), 1380, 1700);
            System.out.println("dashboard: screenshot " + png);
        } else {
            System.out.println("dashboard: no Chromium, so no screenshot");
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static Map<String, Integer> awaitPorts(Path logs, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> ports = new LinkedHashMap<>();
        while (ports.size() < SERVICES.size() && System.nanoTime() < deadline) {
            for (String service : SERVICES) {
                Path log = logs.resolve(service + ".log");
                if (!ports.containsKey(service) && Files.exists(log)) {
                    Matcher m = PORT.matcher(Files.readString(log, StandardCharsets.UTF_8));
                    if (m.find()) {
                        ports.put(service, Integer.parseInt(m.group(1)));
                    }
                }
            }
            Thread.sleep(1000); // waiting for the children to log their endpoints
        }
        if (ports.isEmpty()) {
            throw new IllegalStateException("no metrics endpoint logged in " + logs + " within " + timeout);
        }
        return ports;
    }

    private static String page(List<Scrape> scrapes) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>sentiflow "
                + "dashboard</title><style>body{font-family:sans-serif;margin:16px;background:#fff}"
                + ".grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}.grid div{border:1px solid #ddd;"
                + "padding:4px}h1{font-size:20px}p{color:#555;font-size:13px}</style></head><body>"
                + "<h1>sentiflow pipeline (the panels of deploy/grafana/sentiflow.json)</h1><p>Rendered by "
                + "DashboardSnapshot from " + scrapes.size() + " scrapes of the local stack's /metrics endpoints, "
                + "5 s apart: no Grafana on the development machine.</p><div class=\"grid\">");
        chart(html, "Throughput (records/s)", "records/s", scrapes, (previous, now) -> {
            Map<String, Double> v = new TreeMap<>();
            rate(v, "ingest in", previous, now, "ingest", "sentiflow_ingest_records_in_total", Map.of());
            rate(v, "ingest tokenized", previous, now, "ingest", "sentiflow_ingest_records_tokenized_total", Map.of());
            rate(v, "inference scored", previous, now, "inference", "sentiflow_inference_records_scored_total", Map.of());
            return v;
        });
        chart(html, "Consumer lag (records, max per service)", "records", scrapes, (previous, now) -> {
            Map<String, Double> v = new TreeMap<>();
            now.byService().forEach((service, p) -> p.samples("kafka_consumer_fetch_manager_records_lag_max", Map.of())
                    .stream().mapToDouble(PrometheusText.Sample::value).filter(d -> !Double.isNaN(d)).max()
                    .ifPresent(max -> v.put(service, max)));
            return v;
        });
        chart(html, "Dead letters (per minute)", "per minute", scrapes, (previous, now) -> {
            Map<String, Double> v = new TreeMap<>();
            rate(v, "ingest", previous, now, "ingest", "sentiflow_ingest_dead_letters_total", Map.of());
            rate(v, "inference", previous, now, "inference", "sentiflow_inference_dead_letters_total", Map.of());
            v.replaceAll((k, x) -> x * 60);
            return v;
        });
        chart(html, "Batch time and latency p50/p99 (s)", "seconds", scrapes, (previous, now) -> {
            Map<String, Double> v = new TreeMap<>();
            quantile(v, "batch p50", previous, now, "sentiflow_inference_batch_seconds_bucket", 0.5);
            quantile(v, "batch p99", previous, now, "sentiflow_inference_batch_seconds_bucket", 0.99);
            quantile(v, "latency p50", previous, now, "sentiflow_inference_latency_seconds_bucket", 0.5);
            quantile(v, "latency p99", previous, now, "sentiflow_inference_latency_seconds_bucket", 0.99);
            return v;
        });
        chart(html, "Served version per model", "version", scrapes, (previous, now) -> gauge(now, "inference",
                "sentiflow_inference_served_version", s -> s.labels().get("model")));
        chart(html, "Live accuracy per model and version", "accuracy", scrapes, (previous, now) -> {
            // avg by (model, version) over the tasks, as the dashboard's query does
            Map<String, Double> sum = gauge(now, "inference", "sentiflow_inference_live_accuracy",
                    s -> s.labels().get("model") + " v" + s.labels().get("version"));
            Map<String, Double> count = new TreeMap<>();
            PrometheusText p = now.byService().get("inference");
            if (p != null) {
                p.samples("sentiflow_inference_live_accuracy", Map.of()).forEach(s -> count.merge(
                        s.labels().get("model") + " v" + s.labels().get("version"), 1.0, Double::sum));
            }
            sum.replaceAll((k, v) -> v / count.get(k));
            return sum;
        });
        chart(html, "Training rounds (committed, cumulative)", "rounds", scrapes, (previous, now) -> gauge(now,
                "trainer", "sentiflow_trainer_rounds_total", s -> s.labels().get("outcome") + " ("
                        + s.labels().get("rule") + ")"));
        chart(html, "Trainer: champion version and examples waiting", "", scrapes, (previous, now) -> {
            Map<String, Double> v = gauge(now, "trainer", "sentiflow_trainer_champion_version",
                    s -> "champion " + s.labels().get("model"));
            v.putAll(gauge(now, "trainer", "sentiflow_trainer_examples_waiting", s -> "waiting " + s.labels().get("model")));
            return v;
        });
        chart(html, "Resident memory per service (MiB)", "MiB", scrapes, (previous, now) -> {
            Map<String, Double> v = new TreeMap<>();
            now.byService().forEach((service, p) -> p.sum("process_resident_memory_bytes", Map.of())
                    .ifPresent(b -> v.put(service, b / (1 << 20))));
            return v;
        });
        chart(html, "JVM heap used per service (MiB)", "MiB", scrapes, (previous, now) -> {
            Map<String, Double> v = new TreeMap<>();
            now.byService().forEach((service, p) -> p.sum("jvm_memory_used_bytes", Map.of("area", "heap"))
                    .ifPresent(b -> v.put(service, b / (1 << 20))));
            return v;
        });
        return html.append("</div></body></html>\n").toString();
    }

    /** One panel: {@code values} turns each pair of neighbouring scrapes into named values at the newer one's time. */
    private static void chart(StringBuilder html, String title, String unit, List<Scrape> scrapes,
            BiFunction<Scrape, Scrape, Map<String, Double>> values) {
        Map<String, List<TimeChartSvg.Point>> series = new LinkedHashMap<>();
        for (int i = 1; i < scrapes.size(); i++) {
            Instant at = scrapes.get(i).at();
            values.apply(scrapes.get(i - 1), scrapes.get(i)).forEach((name, value) -> {
                if (!Double.isNaN(value) && !Double.isInfinite(value)) {
                    series.computeIfAbsent(name, k -> new ArrayList<>()).add(new TimeChartSvg.Point(at, value));
                }
            });
        }
        List<TimeChartSvg.Series> drawn = new ArrayList<>();
        int colour = 0;
        for (var e : series.entrySet()) {
            drawn.add(new TimeChartSvg.Series(e.getKey(), PALETTE.get(colour++ % PALETTE.size()), e.getValue()));
        }
        html.append("<div>").append(drawn.isEmpty() ? "<p>" + Html.esc(title) + ": no data</p>"
                : TimeChartSvg.render(title, unit, drawn, TimeChartSvg.Style.LINES, Duration.ZERO)).append("</div>");
    }

    private static void rate(Map<String, Double> into, String name, Scrape previous, Scrape now, String service,
            String metric, Map<String, String> labels) {
        Optional<Double> a = Optional.ofNullable(previous.byService().get(service)).flatMap(p -> p.sum(metric, labels));
        Optional<Double> b = Optional.ofNullable(now.byService().get(service)).flatMap(p -> p.sum(metric, labels));
        if (a.isPresent() && b.isPresent()) {
            double seconds = Duration.between(previous.at(), now.at()).toMillis() / 1000.0;
            into.put(name, Math.max(0, b.get() - a.get()) / seconds);
        }
    }

    private static Map<String, Double> gauge(Scrape now, String service, String metric,
            java.util.function.Function<PrometheusText.Sample, String> name) {
        Map<String, Double> v = new TreeMap<>();
        PrometheusText p = now.byService().get(service);
        if (p != null) {
            p.samples(metric, Map.of()).forEach(s -> v.merge(name.apply(s), s.value(), Double::sum));
        }
        return v;
    }

    /** The quantile of the observations between two scrapes, from the cumulative buckets, as histogram_quantile does. */
    private static void quantile(Map<String, Double> into, String name, Scrape previous, Scrape now, String buckets,
            double q) {
        PrometheusText a = previous.byService().get("inference");
        PrometheusText b = now.byService().get("inference");
        if (a == null || b == null) {
            return;
        }
        TreeMap<Double, Double> counts = new TreeMap<>();
        for (PrometheusText.Sample s : b.samples(buckets, Map.of())) {
            double le = s.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s.labels().get("le"));
            double before = a.samples(buckets, Map.of("le", s.labels().get("le"))).stream()
                    .mapToDouble(PrometheusText.Sample::value).sum();
            counts.merge(le, s.value() - before, Double::sum);
        }
        if (counts.isEmpty() || counts.lastEntry().getValue() <= 0) {
            return;
        }
        double rank = q * counts.lastEntry().getValue();
        double lowerBound = 0;
        double lowerCount = 0;
        for (var e : counts.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    into.put(name, lowerBound);
                } else {
                    double inBucket = e.getValue() - lowerCount;
                    into.put(name, inBucket <= 0 ? e.getKey()
                            : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket);
                }
                return;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
    }
}
