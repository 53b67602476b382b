package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.trainer.metrics.RoundProgress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local console shows: the status line, a round's outcome, the trainer's progress from its log. */
class StatusDisplayTest {

    @TempDir
    Path dir;

    @Test
    void theStatusLineShowsThroughputLagsServingVersionsAndTheRoundsBar() {
        StatusLine line = new StatusLine(Duration.ofSeconds(130), 1801, 2395, 1, 1800, 0, 2, 1240, 41.4, 12,
                Map.of("default", new StatusLine.Serving(2, 0.9123, 500, List.of())),
                Optional.of(new RoundProgress("default", 3, 2, 3, 59, 96, 0.41, 20)));
        assertEquals("[02:10] sent 1801/2395 | tokenized 1800 lag 0 | dlq 2 | scored 1240 41/s lag 12 | default v2 "
                + "live 0.912 (500) | training v3 [######----] 61% epoch 2/3 eta 20s", line.toString());
        StatusLine repeating = new StatusLine(Duration.ofSeconds(200), 2801, 2395, 2, 2800, 0, 2, 2790, 20, 10,
                Map.of("default", new StatusLine.Serving(3, 0, 0, List.of(new StatusLine.Earlier(2, 0.9123, 500),
                        new StatusLine.Earlier(1, 0.88, 1000)))), Optional.empty());
        assertEquals("[03:20] sent 2801 pass 2/2395 | tokenized 2800 lag 0 | dlq 2 | scored 2790 20/s lag 10 | default v3 "
                + "live -, v2 0.912 (500), v1 0.880 (1000)", repeating.toString());
        StatusLine early = new StatusLine(Duration.ofSeconds(5), 10, 2395, 1, 0, -1, 0, 0, 0, -1, Map.of(),
                Optional.empty());
        assertEquals("[00:05] sent 10/2395 | tokenized 0 lag - | dlq 0 | scored 0 0/s lag - | no model yet",
                early.toString());
    }

    @Test
    void theBarIsBoundedAndRounded() {
        assertEquals("[----------]", StatusLine.bar(-1));
        assertEquals("[#####-----]", StatusLine.bar(0.5));
        assertEquals("[##########]", StatusLine.bar(7));
    }

    @Test
    void aRoundIsOneLineAndARefusalSaysWhy() {
        TrainingMetrics published = round(2, "PUBLISH", "first model beats the majority-class baseline");
        assertEquals("v2 PUBLISHED (model default): accuracy 0.9038, macro-F1 0.9025 vs champion v1 0.8920 on 104 eval; "
                + "1003 trained in 69 s (48.0/s); trigger VOLUME", RoundLine.of(published));
        String refused = RoundLine.of(round(3, "REFUSE", "domain yelp drops 0.0400 > tolerance 0.0100"));
        assertTrue(refused.startsWith("v3 REFUSED (model default)"), refused);
        assertTrue(refused.endsWith("\n  refused because domain yelp drops 0.0400 > tolerance 0.0100"), refused);
    }

    @Test
    void theTrainerLogGivesTheNewestProgressAndOnlyReadsWhatWasAppended() throws Exception {
        Path log = dir.resolve("trainer.log");
        TrainerLogWatcher watcher = new TrainerLogWatcher(log);
        assertEquals(Optional.empty(), watcher.latest());
        RoundProgress first = new RoundProgress("default", 1, 1, 3, 10, 90, 0.6, 50);
        RoundProgress second = new RoundProgress("default", 1, 2, 3, 40, 90, 0.4, 30);
        append(log, "10:00:01 INFO x - model default round for v1 (VOLUME: 500 new)\n10:00:02 INFO x - " + first.line()
                + "\n10:00:12 INFO x - " + second.line().substring(0, 20)); // a line still being written
        assertEquals(Optional.of(first), watcher.latest());
        append(log, second.line().substring(20) + "\n10:00:13 INFO x - model default v1 PUBLISHED in 60.0 s\n");
        assertEquals(Optional.of(second), watcher.latest());
        assertEquals(Optional.of(second), watcher.latest()); // nothing new: the same
        Files.writeString(log, "10:01:00 INFO x - " + first.line() + "\n"); // a fresh, shorter log
        assertEquals(Optional.of(first), watcher.latest());
    }

    @Test
    void theInferenceLogGivesTheNewestServedVersionOfAnyModel() throws Exception {
        Path log = dir.resolve("inference.log");
        ServingLogWatcher watcher = new ServingLogWatcher(log);
        assertEquals(java.util.OptionalLong.empty(), watcher.newestServed());
        append(log, "10:00:01 INFO CheckpointIntake - model default: now serving v1 (was none; ADAPTER: 14 arrays, "
                + "931,336 bytes beside the shared base; sha256 0123456789ab) built in 40.1 ms from models[0]@3\n"
                + "10:00:02 INFO CheckpointIntake - model default: v2 loaded as CHALLENGER beside v1\n");
        assertEquals(java.util.OptionalLong.of(1), watcher.newestServed());
        append(log, "10:00:09 INFO CheckpointIntake - model imdb: now serving v3 (was none; ...) built in 1 ms\n"
                + "10:00:10 INFO CheckpointIntake - model default: now serving v2 (was v1; ...) built in 1 ms\n");
        assertEquals(java.util.OptionalLong.of(3), watcher.newestServed());
    }

    /** Between the trainer's progress lines (at most one per half minute) the eta counts down with the clock. */
    @Test
    void theEtaCountsDownBetweenProgressLines() throws Exception {
        Path log = dir.resolve("trainer-eta.log");
        TrainerLogWatcher watcher = new TrainerLogWatcher(log);
        RoundProgress p = new RoundProgress("default", 2, 1, 3, 10, 90, 0.6, 50);
        append(log, "10:00:01 INFO x - " + p.line() + "\n");
        long t0 = 1_000_000_000_000L;
        RoundProgress read = watcher.latest(t0).orElseThrow();
        assertEquals(50, watcher.etaSecondsNow(read, t0));
        assertEquals(38, watcher.etaSecondsNow(read, t0 + 12_000_000_000L));
        assertEquals(0, watcher.etaSecondsNow(read, t0 + 90_000_000_000L), "never below 0");
        // A new line resets the count from its own eta.
        append(log, "10:00:31 INFO x - " + new RoundProgress("default", 2, 1, 3, 40, 90, 0.5, 35).line() + "\n");
        RoundProgress next = watcher.latest(t0 + 31_000_000_000L).orElseThrow();
        assertEquals(35, watcher.etaSecondsNow(next, t0 + 31_000_000_000L));
        assertEquals(30, watcher.etaSecondsNow(next, t0 + 36_000_000_000L));
    }

    /** One console line per swap, from the log, whether or not traffic follows it. */
    @Test
    void eachSwapInTheInferenceLogIsOneEvent() throws Exception {
        Path log = dir.resolve("inference.log");
        ServingLogWatcher watcher = new ServingLogWatcher(log);
        assertEquals(List.of(), watcher.swaps());
        append(log, "10:00:01 INFO CheckpointIntake - model default: now serving v1 (was none; ADAPTER: 14 arrays) "
                + "built in 40.1 ms from models[0]@3\n10:00:02 INFO RolloutApplier - rollout of model default: "
                + "REJECTED default v2 against v1 (committed at metrics.live-0@4); now serving v1\n");
        assertEquals(List.of("inference now serves default v1 (was none)"),
                watcher.swaps().stream().map(ServingLogWatcher.Swap::sentence).toList());
        append(log, "10:00:10 INFO CheckpointIntake - model default: now serving v3 (was v1; ADAPTER) built in 1 ms\n");
        assertEquals(java.util.OptionalLong.of(3), watcher.newestServed()); // reading for the newest keeps the swap
        assertEquals(List.of(new ServingLogWatcher.Swap("default", 3, "v1")), watcher.swaps());
        assertEquals(List.of(), watcher.swaps());
    }

    private static void append(Path log, String text) throws Exception {
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static TrainingMetrics round(long version, String decision, String reason) {
        return TrainingMetrics.newBuilder().setModelName("default").setRound(version).setScope(MetricsScope.ROUND)
                .setEpoch(0).setStep(0)
                .setValues(Map.of("accuracy", 0.9038, "macro_f1", 0.9025, "champion_macro_f1", 0.8920,
                        "eval_examples", 104.0, "train_examples", 1003.0, "wall_seconds", 69.2,
                        "train_samples_per_s", 48.0))
                .setLabels(Map.of("decision", decision, "reason", reason, "champion", "v1", "trigger", "VOLUME"))
                .setPerDomain(Map.of()).setCreatedAt(Instant.now()).build();
    }
}
