package dev.sentiflow.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.text.tokenizer.TokenLimits;
import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.split.EvalSplit;
import dev.sentiflow.trainer.trigger.RoundTrigger;
import dev.sentiflow.trainer.trigger.TriggerPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The routing of one partition's fetched records: a full window stops the partition at the first
 * record it cannot take, so nothing after it is skipped; an undecodable record is skipped and
 * counted; a registry outage stops the partition at the record that needs it. Values are plain
 * Avro binary decoded for real (the registry framing is {@code RecordDecoder}'s, tested there).
 */
class RecordRouterTest {

    private static final EvalSplit SPLIT = new EvalSplit(0.2);
    private static final TopicPartition TP = new TopicPartition("reviews.tokenized", 0);

    private final OffsetBook book = new OffsetBook();
    private final ModelStates models = new ModelStates(
            m -> new ExampleIntake(m, List.of("negative", "positive"), "tok",
                new TokenLimits(30522, 512), SPLIT,
                    new ExampleIntake.Capacities(3, 50, 20, 2, 10)),
            m -> new RoundTrigger(new TriggerPolicy(1000, 1, Duration.ofHours(1), 0.05, 100), 0));

    @Test
    void aWindowThatFillsMidPollStopsThePartitionAtTheFirstRecordItCannotTake() {
        book.assigned(TP, Optional.empty());
        List<String> ids = new ArrayList<>(evalIds(1));
        ids.addAll(trainIds(6));
        RecordRouter router = new RecordRouter(RecordRouterTest::decode, d -> "default", models, book);
        Optional<RecordRouter.Stop> stop = router.route(TP, records(ids, 9));
        RecordRouter.WindowFull full = assertInstanceOf(RecordRouter.WindowFull.class, stop.orElseThrow());
        assertEquals(13, full.offset(), "the fourth training record (offset 13) is where the partition is read again");
        assertEquals(3, models.intake("default").windowSize());
        assertFalse(book.isReadingAhead(TP), "the model has an evaluation example: its round can start");
        // Nothing past the stop was counted as taken: markers-only commits cannot step over it.
        book.committed(java.util.Map.of(TP, new org.apache.kafka.clients.consumer.OffsetAndMetadata(10)));
        assertTrue(book.markersOnly(Set.of(TP), tp -> 13).isEmpty());
    }

    @Test
    void aWindowFullBeforeAnyEvaluationExampleReadsOnForHeldOutExamplesOnly() {
        book.assigned(TP, Optional.empty());
        List<String> train = trainIds(6);
        List<String> ids = new ArrayList<>(train);
        ids.add(evalIds(1).get(0));
        List<ConsumerRecord<byte[], byte[]>> records = records(ids, 20);
        records.add(new ConsumerRecord<>(TP.topic(), 0, 27, null, new byte[] {1, 2, 3}));
        RecordRouter router = new RecordRouter(RecordRouterTest::decode, d -> "default", models, book);

        assertEquals(Optional.empty(), router.route(TP, records), "no stop: the evaluation example behind is read");
        ExampleIntake intake = models.intake("default");
        assertEquals(3, intake.windowSize(), "training examples past the full window are not taken");
        assertEquals(1, intake.evalSize(), "the evaluation example behind the full window is taken");
        assertEquals(0, router.undecodable(), "what is read ahead is counted when read again");
        assertEquals(3, models.trigger("default").pendingExamples(), "only the window's examples count toward a round");

        Map<TopicPartition, OffsetAndMetadata> offsets = book.roundOffsets(Set.of(TP), tp -> 100, "default",
                models.intakes());
        assertEquals(23, offsets.get(TP).offset(), "the round commits nothing past the first record skipped");
        assertEquals(Map.of(TP, 23L), book.endReadAhead(), "after the round the partition is read again from there");
        assertFalse(book.isReadingAhead(TP));
    }

    @Test
    void undecodableRecordsAreSkippedAndCountedAndTheRestIsTaken() {
        book.assigned(TP, Optional.empty());
        List<String> ids = trainIds(2);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(new ConsumerRecord<>(TP.topic(), 0, 0, null, new byte[] {1, 2, 3}));
        records.add(new ConsumerRecord<>(TP.topic(), 0, 1, null, encode(review(ids.get(0)))));
        records.add(new ConsumerRecord<>(TP.topic(), 0, 2, null, null));
        records.add(new ConsumerRecord<>(TP.topic(), 0, 3, null, encode(review(ids.get(1)))));
        RecordRouter router = new RecordRouter(RecordRouterTest::decode, d -> "default", models, book);
        assertEquals(Optional.empty(), router.route(TP, records));
        assertEquals(2, router.undecodable());
        assertEquals(2, models.intake("default").windowSize());
    }

    @Test
    void aRegistryOutageStopsThePartitionAtTheRecordThatNeedsIt() {
        book.assigned(TP, Optional.empty());
        List<String> ids = trainIds(3);
        BiFunction<String, byte[], RecordDecoder.Decoded<TokenizedReview>> down = (topic, value) -> {
            TokenizedReview r = decodeReview(value);
            if (r.getId().equals(ids.get(1))) {
                throw new RegistryUnavailableException("registry down", 0, null);
            }
            return new RecordDecoder.Ok<>(r);
        };
        RecordRouter router = new RecordRouter(down, d -> "default", models, book);
        RecordRouter.Stop stop = router.route(TP, records(ids, 0)).orElseThrow();
        assertInstanceOf(RecordRouter.RegistryAway.class, stop);
        assertEquals(1, stop.offset());
        assertEquals(1, models.intake("default").windowSize());
        assertEquals(0, router.undecodable(), "an outage is not the record's fault");
    }

    private static List<String> evalIds(int n) {
        return IntStream.range(0, 20 * n).mapToObj(i -> "e" + i).filter(SPLIT::isEval).limit(n).toList();
    }

    private static List<String> trainIds(int n) {
        return IntStream.range(0, 20 * n).mapToObj(i -> "r" + i).filter(SPLIT::isTrain).limit(n).toList();
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(List<String> ids, long firstOffset) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            out.add(new ConsumerRecord<>(TP.topic(), TP.partition(), firstOffset + i, null, encode(review(ids.get(i)))));
        }
        return out;
    }

    private static TokenizedReview review(String id) {
        return TokenizedReview.newBuilder().setId(id).setTokenIds(List.of(101, 2000, 102)).setLabel("positive")
                .setDomain("yelp").setEventTime(Instant.EPOCH).setTokenizerId("tok").build();
    }

    private static byte[] encode(TokenizedReview review) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            var encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(TokenizedReview.class).write(review, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TokenizedReview decodeReview(byte[] value) {
        try {
            return new SpecificDatumReader<>(TokenizedReview.class).read(null,
                    DecoderFactory.get().binaryDecoder(value, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Plain Avro binary: anything that does not parse as a whole review is the record's fault. */
    private static RecordDecoder.Decoded<TokenizedReview> decode(String topic, byte[] value) {
        if (value == null) {
            return new RecordDecoder.Bad<>("tombstone");
        }
        try {
            var decoder = DecoderFactory.get().binaryDecoder(value, null);
            TokenizedReview r = new SpecificDatumReader<>(TokenizedReview.class).read(null, decoder);
            return decoder.isEnd() ? new RecordDecoder.Ok<>(r) : new RecordDecoder.Bad<>("trailing bytes");
        } catch (IOException | RuntimeException e) {
            return new RecordDecoder.Bad<>(e.toString());
        }
    }
}
