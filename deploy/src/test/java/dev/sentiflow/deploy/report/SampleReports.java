package dev.sentiflow.deploy.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Report data shaped like a real local run: three rounds (one refused), three versions, three domains. */
final class SampleReports {

    static final Instant START = Instant.parse("2025-06-01T10:00:00Z");
    static final List<String> DOMAINS = List.of("amazon", "imdb", "yelp");
    static final int STEPS = 96;
    static final int EPOCHS = 3;
    static final int BUCKETS = 40;
    /** Buckets with no prediction (a pause), which draw no bar and break the latency lines. */
    static final List<Integer> EMPTY_BUCKETS = List.of(12, 13);
    static final String NASTY = "<script>alert('x')</script> & \"quoted\"";

    private SampleReports() {
    }

    static ReportData realistic() {
        List<LossCurve> curves = new ArrayList<>();
        List<RoundOutcome> rounds = new ArrayList<>();
        long[][] rounds3 = {{1, 1}, {2, 1}, {2, 2}};
        for (int i = 0; i < rounds3.length; i++) {
            long round = rounds3[i][0];
            int attempt = (int) rounds3[i][1];
            List<Double> loss = new ArrayList<>();
            for (int s = 1; s <= STEPS; s++) {
                loss.add(0.7 * Math.exp(-s / (30.0 + 10 * i)) + 0.08 + 0.05 * Math.sin(s * 1.7));
            }
            List<LossCurve.EvalLoss> evals = new ArrayList<>();
            for (int e = 1; e <= EPOCHS; e++) {
                evals.add(new LossCurve.EvalLoss(e, (long) e * STEPS / EPOCHS, 0.35 - 0.05 * e + 0.01 * i));
            }
            curves.add(new LossCurve("default", round, attempt, loss, evals));
            boolean published = i != 1;
            Map<String, Scores> perDomain = new LinkedHashMap<>();
            for (int d = 0; d < DOMAINS.size(); d++) {
                perDomain.put(DOMAINS.get(d), new Scores(30 + d, 0.86 + 0.02 * d + 0.01 * i, 0.85 + 0.02 * d + 0.01 * i));
            }
            rounds.add(new RoundOutcome("default", round, attempt, START.plusSeconds(90L * (i + 1)),
                    i == 2 ? "MAX_WAIT" : "VOLUME", i == 2 ? "10m since the last round" : "500 new labels",
                    i == 0 ? "none" : "v1", published ? "PUBLISH" : "REFUSE",
                    published ? "beats the champion: macro-F1 0.90 vs 0.89"
                            : "forgetting in amazon: macro-F1 0.80 < 0.85 " + NASTY,
                    "domain n champion candidate\n(overall) 104 0.8920 0.9025\n", new Scores(104, 0.9 + 0.01 * i,
                    0.89 + 0.01 * i), perDomain, 500L * (i + 1), 60 + 10 * i, 48.5 + i));
        }
        List<VersionScores> live = new ArrayList<>();
        for (long v = 0; v <= 2; v++) {
            Map<String, Scores> perDomain = new LinkedHashMap<>();
            for (int d = 0; d < DOMAINS.size(); d++) {
                perDomain.put(DOMAINS.get(d), new Scores(40 + d, 0.5 + 0.2 * v + 0.01 * d, 0.45 + 0.2 * v));
            }
            live.add(new VersionScores("default", v, new Scores(123 + v, 0.5 + 0.2 * v, 0.45 + 0.2 * v), perDomain));
        }
        Confusion confusion = new Confusion("default", 2, List.of("negative", "positive"),
                new long[][] {{410, 37}, {29, 436}});
        List<TrafficBucket> traffic = new ArrayList<>();
        for (int b = 0; b < BUCKETS; b++) {
            boolean empty = EMPTY_BUCKETS.contains(b);
            traffic.add(new TrafficBucket(START.plusSeconds(10L * b), Duration.ofSeconds(10), empty ? 0 : 150 + 3 * b,
                    empty ? Double.NaN : 40 + b, empty ? Double.NaN : 300 + 5 * b));
        }
        List<LivePoint> points = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            points.add(new LivePoint("default", 1, "CHAMPION", START.plusSeconds(30L * p), 100 + p, 0.88 + 0.002 * p,
                    0.87, null));
        }
        for (int p = 0; p < 8; p++) {
            points.add(new LivePoint("default", 2, "CHAMPION", START.plusSeconds(150 + 30L * p), 100 + p,
                    0.91 + 0.001 * p, 0.9, p == 0 ? "PROMOTED v2 over v1: 0.91 vs 0.89 " + NASTY : null));
        }
        List<ModelVersion> versions = List.of(
                new ModelVersion("default", 1, "ADAPTER", START.plusSeconds(90), null, 1, 889_352,
                        List.of("negative", "positive"), Map.of("accuracy", 0.9, "macro_f1", 0.89)),
                new ModelVersion("default", 2, "ADAPTER", START.plusSeconds(270), 1L, 1, 889_352,
                        List.of("negative", "positive"), Map.of("accuracy", 0.92, "macro_f1", 0.91)));
        long predictions = traffic.stream().mapToLong(TrafficBucket::predictions).sum();
        return new ReportData(START.plusSeconds(600), "127.0.0.1:9092", curves, rounds, live, List.of(confusion), traffic,
                points, versions, predictions, 912, List.of("a note with " + NASTY), new TestScores("test-split.csv", 605,
                List.of(new VersionScores("default", 1, new Scores(605, 0.9058, 0.9057),
                                Map.of("amazon", new Scores(192, 0.9010, 0.8996), "yelp", new Scores(212, 0.8915, 0.8906))),
                        new VersionScores("default", 2, new Scores(605, 0.9140, 0.9140),
                                Map.of("amazon", new Scores(192, 0.8958, 0.8939), "yelp", new Scores(212, 0.9198, 0.9193)))),
                "test-scores.json"));
    }
}
