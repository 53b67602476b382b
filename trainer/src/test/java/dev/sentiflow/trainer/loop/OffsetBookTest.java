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
        book.assigned(P0, OptionalLong.of(5));
        book.assigned(P1, OptionalLong.empty());
        assertTrue(book.isHistory(P0, 4));
        assertFalse(book.isHistory(P0, 5));
        assertFalse(book.isHistory(P1, 0));
        book.revoked(P0);
        assertFalse(book.isHistory(P0, 4));
        assertEquals(OptionalLong.empty(), book.committed(P0));
    }

    @Test
    void aRoundCommitsThePositionButNotPastHistoryNorAnotherModelsWindow() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, OptionalLong.of(20));
        book.assigned(P1, OptionalLong.of(0));
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
    void anIdleMemberStepsOnlyOverCommitMarkers() {
        OffsetBook book = new OffsetBook();
        book.assigned(P0, OptionalLong.of(10));
        book.assigned(P1, OptionalLong.of(10));
        book.taken(P1, 10);
        Map<TopicPartition, OffsetAndMetadata> markers = book.markersOnly(Set.of(P0, P1), tp -> 11);
        assertEquals(Map.of(P0, new OffsetAndMetadata(11)), markers, "P1 has an uncommitted record at 10");
        book.committed(markers);
        assertEquals(OptionalLong.of(11), book.committed(P0));
        assertTrue(book.markersOnly(Set.of(P0), tp -> 11).isEmpty());
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
