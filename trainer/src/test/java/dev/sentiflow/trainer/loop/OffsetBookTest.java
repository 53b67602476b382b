package dev.sentiflow.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.tokenizer.TokenLimits;
import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.split.EvalSplit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetBookTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final EvalSplit SPLIT = new EvalSplit(0.2);

    @Test
    void historyEndsAtTheCommittedOffsetOfTheAssignment() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, at(5));
        book.assigned(P1, Optional.empty());
        assertTrue(book.isHistory(P0, "m", 4));
        assertFalse(book.isHistory(P0, "m", 5));
        assertFalse(book.isHistory(P1, "m", 0));
        book.revoked(P0);
        assertFalse(book.isHistory(P0, "m", 4));
        assertEquals(OptionalLong.empty(), book.committed(P0));
    }

    @Test
    void aRoundCommitsThePositionButNotPastHistoryNorAnotherModelsWindow() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, at(20));
        book.assigned(P1, at(0));
        ExampleIntake mine = intake("mine");
        ExampleIntake other = intake("other");
        String id = IntStream.range(0, 100).mapToObj(i -> "x" + i).filter(SPLIT::isTrain).findFirst().orElseThrow();
        other.accept(review(id), "t", 1, 7, false);
        Map<TopicPartition, OffsetAndMetadata> offsets = book.roundOffsets(Set.of(P0, P1),
                tp -> tp.equals(P0) ? 12 : 30, "mine", List.of(mine, other));
        assertEquals(20, offsets.get(P0).offset(), "never below re-read history's end");
        assertEquals(7, offsets.get(P1).offset(), "never past another model's waiting window");
    }

    @Test
    void roundsWaitUntilEveryPartitionsHistoryIsReRead() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, at(20));
        book.assigned(P1, Optional.empty());
        assertEquals(Set.of(P0), book.historyUnread(Set.of(P0, P1), tp -> tp.equals(P0) ? 12 : 0, tp -> false));
        assertEquals(Set.of(), book.historyUnread(Set.of(P0, P1), tp -> tp.equals(P0) ? 20 : 0, tp -> false));
        assertEquals(Set.of(), book.historyUnread(Set.of(P0, P1), tp -> tp.equals(P0) ? 12 : 0, tp -> true),
                "a committed offset past the log's end (a recreated topic) does not hold rounds back for good");
    }

    @Test
    void anIdleMemberStepsOnlyOverCommitMarkers() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, at(10));
        book.assigned(P1, at(10));
        book.taken(P1, 10);
        Map<TopicPartition, OffsetAndMetadata> markers = book.markersOnly(Set.of(P0, P1), tp -> 11);
        assertEquals(Map.of(P0, new OffsetAndMetadata(11, "")), markers, "P1 has an uncommitted record at 10");
        book.committed(markers);
        assertEquals(OptionalLong.of(11), book.committed(P0));
        assertTrue(book.markersOnly(Set.of(P0), tp -> 11).isEmpty());
    }

    @Test
    void aModelTrainedPastAnotherModelsWaitingWindowReadsThoseExamplesAsHistoryAfterARestart() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, at(0));
        ExampleIntake busy = intake("busy");
        ExampleIntake rare = intake("rare");
        String id = IntStream.range(0, 100).mapToObj(i -> "x" + i).filter(SPLIT::isTrain).findFirst().orElseThrow();
        rare.accept(review(id), "t", 0, 3, false);
        Map<TopicPartition, OffsetAndMetadata> offsets = book.roundOffsets(Set.of(P0), tp -> 40, "busy",
                List.of(busy, rare));
        assertEquals(3, offsets.get(P0).offset(), "held back by the rare model's waiting example");
        book.committed(offsets);

        OffsetBook restarted = new OffsetBook();
        restarted.assigned(P0, Optional.of(offsets.get(P0)));
        assertTrue(restarted.isHistory(P0, "busy", 39), "busy trained up to 40: its examples there are history");
        assertFalse(restarted.isHistory(P0, "busy", 40));
        assertFalse(restarted.isHistory(P0, "rare", 3), "rare's example is still to be trained");

        Map<TopicPartition, OffsetAndMetadata> next = restarted.roundOffsets(Set.of(P0), tp -> 50, "rare", List.of(rare));
        assertEquals(50, next.get(P0).offset());
        assertEquals("", next.get(P0).metadata(), "nothing trained past the committed offset any more");
    }

    @Test
    void metadataTooBigForKafkaLeavesModelsOutRatherThanFailTheCommit() {
        Map<String, Long> many = new java.util.TreeMap<>();
        IntStream.range(0, 500).forEach(i -> many.put("domain-" + i, 1_000_000L + i));
        String metadata = TrainedOffsets.encode(many);
        assertTrue(metadata.length() <= TrainedOffsets.MAX_CHARS, "within Kafka's offset.metadata.max.bytes");
        Map<String, Long> kept = TrainedOffsets.decode(metadata);
        assertTrue(kept.size() > 10 && kept.size() < 500, kept.size() + " kept");
        kept.forEach((model, offset) -> assertEquals(many.get(model), offset));
        assertEquals(Map.of(), TrainedOffsets.decode("written by another tool"));
    }

    private static Optional<OffsetAndMetadata> at(long offset) {
        return Optional.of(new OffsetAndMetadata(offset));
    }

    private static ExampleIntake intake(String model) {
        return new ExampleIntake(model, List.of("negative", "positive"), "tok",
                new TokenLimits(30522, 512), SPLIT,
                new ExampleIntake.Capacities(10, 10, 10, 2, 10));
    }

    private static TokenizedReview review(String id) {
        return TokenizedReview.newBuilder().setId(id).setTokenIds(List.of(101, 2000, 102)).setLabel("positive")
                .setDomain("yelp").setEventTime(Instant.EPOCH).setTokenizerId("tok").build();
    }
}
