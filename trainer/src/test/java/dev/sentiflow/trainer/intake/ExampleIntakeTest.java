package dev.sentiflow.trainer.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.OffsetRange;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.tokenizer.TokenLimits;
import dev.sentiflow.trainer.intake.ExampleIntake.Outcome;
import dev.sentiflow.trainer.split.EvalSplit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ExampleIntakeTest {

    private static final List<String> LABELS = List.of("negative", "positive");
    private static final EvalSplit SPLIT = new EvalSplit(0.2);
    private static final TokenLimits LIMITS = new TokenLimits(30522, 8);

    private static ExampleIntake intake(int window) {
        return new ExampleIntake("default", LABELS, "tok", LIMITS, SPLIT, new ExampleIntake.Capacities(window, 50, 20, 2, 10));
    }

    private static TokenizedReview review(String id, String label, String domain, String tokenizer) {
        return TokenizedReview.newBuilder().setId(id).setTokenIds(List.of(101, 2000, 102)).setLabel(label)
                .setDomain(domain).setEventTime(Instant.EPOCH).setTokenizerId(tokenizer).build();
    }

    /** Ids whose stable hash puts them on the training side. */
    private static List<String> trainIds(int n) {
        return java.util.stream.IntStream.range(0, 10 * n).mapToObj(i -> "r" + i).filter(SPLIT::isTrain).limit(n).toList();
    }

    @Test
    void routesEachRecordToExactlyOnePlace() {
        ExampleIntake intake = new ExampleIntake("default", LABELS, "tok", LIMITS, SPLIT,
                new ExampleIntake.Capacities(1000, 50, 1000, 2, 10));
        assertEquals(Outcome.REFUSED_TOKENIZER, intake.accept(review("a", "positive", "x", "other"), "t", 0, 0, false));
        assertEquals(Outcome.REFUSED_LABEL, intake.accept(review("b", "meh", "x", "tok"), "t", 0, 1, false));
        assertEquals(Outcome.UNLABELED, intake.accept(review("c", null, "x", "tok"), "t", 0, 2, false));
        int evals = 0;
        int trains = 0;
        for (int i = 0; i < 200; i++) {
            String id = "id-" + i;
            Outcome o = intake.accept(review(id, i % 2 == 0 ? "positive" : "negative", i % 3 == 0 ? "yelp" : "imdb",
                    "tok"), "t", 1, 10 + i, false);
            assertEquals(SPLIT.isEval(id) ? Outcome.EVAL : Outcome.TRAIN, o, id);
            if (o == Outcome.EVAL) {
                evals++;
            } else {
                trains++;
            }
        }
        assertEquals(trains, intake.windowSize());
        assertEquals(evals, intake.roundInput().eval().size());
        assertTrue(intake.roundInput().eval().stream().noneMatch(e -> SPLIT.isTrain(e.id())), "eval never trains");
        assertTrue(intake.roundInput().window().stream().noneMatch(e -> SPLIT.isEval(e.id())));
        assertEquals(Map.of(Outcome.REFUSED_TOKENIZER, 1L, Outcome.REFUSED_LABEL, 1L, Outcome.UNLABELED, 1L,
                Outcome.EVAL, (long) evals, Outcome.TRAIN, (long) trains), intake.counts());
    }

    /**
     * Records a model cannot take (ingest tokenizing longer than the trainer's max.length, a producer
     * of its own) are refused before any store: in the window or the evaluation set, one would fail
     * every round, and after every restart, since history rebuilds the evaluation set.
     */
    @Test
    void tokenIdsTheModelCannotTakeAreRefusedNamingWhy() {
        ExampleIntake intake = intake(100);
        List<Integer> tooLong = List.of(101, 1, 2, 3, 4, 5, 6, 7, 102);
        for (String id : List.of("long-a", "long-b", "long-c", "long-d", "long-e")) { // both sides of the split
            TokenizedReview review = withTokens(id, tooLong);
            assertEquals(Outcome.REFUSED_TOKENS, intake.accept(review, "t", 0, 0, false), id);
            assertEquals(Outcome.REFUSED_TOKENS, intake.accept(review, "t", 0, 0, true), id + " in history");
            assertTrue(intake.problem(review).orElseThrow().contains("9 tokens")
                    && intake.problem(review).orElseThrow().contains("tokenizer.max.length <= 8"),
                    intake.problem(review).orElseThrow());
        }
        TokenizedReview foreignIds = withTokens("vocab", List.of(101, 30522, 102));
        assertEquals(Outcome.REFUSED_TOKENS, intake.accept(foreignIds, "t", 0, 1, false));
        assertTrue(intake.problem(foreignIds).orElseThrow().contains("token id 30522"),
                intake.problem(foreignIds).orElseThrow());
        assertEquals(Outcome.REFUSED_TOKENS, intake.accept(withTokens("negative-id", List.of(101, -1, 102)), "t", 0, 2,
                false));
        assertEquals(Outcome.REFUSED_TOKENS, intake.accept(withTokens("empty", List.of()), "t", 0, 3, false));
        assertEquals(0, intake.windowSize());
        assertEquals(0, intake.evalSize());
        // Exactly max.length fits.
        String fits = trainIds(1).get(0);
        assertEquals(Outcome.TRAIN, intake.accept(withTokens(fits, List.of(101, 1, 2, 3, 4, 5, 6, 102)), "t", 0, 4,
                false));
    }

    private static TokenizedReview withTokens(String id, List<Integer> tokens) {
        return TokenizedReview.newBuilder(review(id, "positive", "d", "tok")).setTokenIds(tokens).build();
    }

    @Test
    void historyFeedsReplayNotTheWindowAndARoundMovesTheWindowToReplay() {
        ExampleIntake intake = intake(100);
        List<String> ids = trainIds(30);
        for (int i = 0; i < 10; i++) {
            intake.accept(review(ids.get(i), "positive", "d", "tok"), "t", 0, i, true);
        }
        for (int i = 10; i < 30; i++) {
            intake.accept(review(ids.get(i), "negative", "d", "tok"), "t", i % 2, 100 + i, false);
        }
        ExampleIntake.RoundInput input = intake.roundInput();
        assertEquals(20, input.window().size());
        assertEquals(10, input.replay().size());
        assertEquals(30, input.training().size());
        assertEquals(List.of(
                OffsetRange.newBuilder().setTopic("t").setPartition(0).setFromOffset(110).setUntilOffset(129).build(),
                OffsetRange.newBuilder().setTopic("t").setPartition(1).setFromOffset(111).setUntilOffset(130).build()),
                input.lineage());
        assertEquals(OptionalLong.of(110), intake.firstWindowOffset("t", 0));
        intake.roundDone(input);
        assertEquals(0, intake.windowSize());
        assertEquals(30, intake.roundInput().replay().size());
        assertEquals(OptionalLong.empty(), intake.firstWindowOffset("t", 0));
    }

    @Test
    void aFullWindowRefusesMoreSoTheConsumerCanStop() {
        ExampleIntake intake = intake(5);
        List<String> ids = trainIds(6);
        for (int i = 0; i < 5; i++) {
            assertEquals(Outcome.TRAIN, intake.accept(review(ids.get(i), "positive", "d", "tok"), "t", 0, i, false));
        }
        assertTrue(intake.windowFull());
        assertEquals(Outcome.WINDOW_FULL, intake.accept(review(ids.get(5), "positive", "d", "tok"), "t", 0, 5, false));
        assertEquals(5, intake.windowSize());
    }

    @Test
    void evaluationIsBoundedPerDomainAndInDomainCount() {
        ExampleIntake intake = intake(1000);
        for (int i = 0; i < 2000; i++) {
            intake.accept(review("e" + i, "positive", "domain-" + (i % 5), "tok"), "t", 0, i, false);
        }
        // 2 domains of their own plus one shared overflow sample, 20 each at most.
        assertEquals(60, intake.evalSize());
    }
}
