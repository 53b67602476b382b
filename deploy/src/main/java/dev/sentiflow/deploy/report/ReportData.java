package dev.sentiflow.deploy.report;

import java.time.Instant;
import java.util.List;

/**
 * Everything the report shows, gathered from the pipeline's topics by {@link ReportCollector} and
 * drawn by {@link ReportPage}. Lists are in display order (rounds and versions oldest first).
 *
 * @param source where the data came from, e.g. the brokers' address
 * @param predictions every prediction read; {@code labeledPredictions} those with a true label
 * @param notes things the reader should know about the data (a missing topic, undecodable records)
 * @param test every version's scores on a fixed test file, from {@code evaluate --out} (not from a topic)
 */
public record ReportData(Instant generatedAt, String source, List<LossCurve> lossCurves, List<RoundOutcome> rounds,
        List<VersionScores> liveScores, List<Confusion> confusions, List<TrafficBucket> traffic,
        List<LivePoint> live, List<ModelVersion> versions, long predictions, long labeledPredictions,
        List<String> notes, TestScores test) {

    public ReportData {
        lossCurves = List.copyOf(lossCurves);
        rounds = List.copyOf(rounds);
        liveScores = List.copyOf(liveScores);
        confusions = List.copyOf(confusions);
        traffic = List.copyOf(traffic);
        live = List.copyOf(live);
        versions = List.copyOf(versions);
        notes = List.copyOf(notes);
    }

    /** The same data with these test scores. */
    public ReportData withTest(TestScores scores) {
        return new ReportData(generatedAt, source, lossCurves, rounds, liveScores, confusions, traffic, live, versions,
                predictions, labeledPredictions, notes, scores);
    }

    /** A report with nothing in it yet: every section says so. */
    public static ReportData empty(Instant generatedAt, String source) {
        return new ReportData(generatedAt, source, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), 0, 0, List.of(), TestScores.NONE);
    }
}
