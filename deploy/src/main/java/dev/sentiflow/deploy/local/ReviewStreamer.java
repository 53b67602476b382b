package dev.sentiflow.deploy.local;

import dev.sentiflow.avro.Review;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the bundled reviews into {@code reviews} at a steady rate, in file order (the UCI file is
 * grouped by domain, so domains arrive one after another, as a shift in live traffic would). Once
 * all are sent it sends them again under fresh ids ({@link RepeatIds}), pass after pass, so every
 * version published later still scores live traffic; or, with {@code repeat} off, it stops. A run on
 * a work folder that already holds some of them goes on from where the earlier run stopped.
 */
final class ReviewStreamer implements Runnable {

    private final Map<String, Object> producerSettings;
    private final SchemaRegistryClient registry;
    private final List<Review> reviews;
    private final long alreadySent;
    private final double perSecond;
    private final Optional<RepeatIds> repeats;
    private final Consumer<String> announce;
    private final AtomicLong pass = new AtomicLong(1);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private volatile boolean done;

    /**
     * @param repeats how to name the reviews of later passes; empty: send each review once
     * @param alreadySent reviews on the topic from earlier runs on the same work folder
     * @param announce told, in one line, when a new pass begins
     */
    ReviewStreamer(Map<String, Object> producerSettings, SchemaRegistryClient registry, List<Review> reviews,
                   double perSecond, Optional<RepeatIds> repeats, long alreadySent, Consumer<String> announce) {
        this.producerSettings = producerSettings;
        this.registry = registry;
        this.reviews = List.copyOf(reviews);
        this.repeats = repeats;
        this.alreadySent = repeats.isPresent() || reviews.isEmpty() ? alreadySent : Math.min(alreadySent, reviews.size());
        this.perSecond = perSecond;
        this.announce = announce;
    }

    /**
     * The rows of the files to stream, how many met each fate, and the held-out rows (labeled, never
     * streamed): the fixed test split every version is scored on.
     */
    record Selection(List<Review> reviews, Map<StreamPlan.Fate, Integer> counts, List<Review> heldOut) {

        /**
         * At most {@code n} of the reviews to stream, spread evenly over them (the bundled files are sorted
         * by domain, so the first n would be one domain only); the held-out rows stay whole.
         */
        Selection spreadOver(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("the number of reviews to stream must be at least 1, got " + n);
            }
            if (n >= reviews.size()) {
                return this;
            }
            List<Review> kept = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                kept.add(reviews.get((int) ((long) i * reviews.size() / n)));
            }
            Map<StreamPlan.Fate, Integer> keptCounts = new EnumMap<>(StreamPlan.Fate.class);
            if (counts.containsKey(StreamPlan.Fate.HELD_OUT)) {
                keptCounts.put(StreamPlan.Fate.HELD_OUT, counts.get(StreamPlan.Fate.HELD_OUT));
            }
            for (Review review : kept) {
                keptCounts.merge(review.getLabel() == null ? StreamPlan.Fate.UNLABELED : StreamPlan.Fate.LABELED, 1,
                        Integer::sum);
            }
            return new Selection(List.copyOf(kept), keptCounts, heldOut);
        }
    }

    static Selection select(List<BundledData> sets, StreamPlan plan) throws IOException {
        List<Review> reviews = new ArrayList<>();
        List<Review> heldOut = new ArrayList<>();
        Map<StreamPlan.Fate, Integer> counts = new EnumMap<>(StreamPlan.Fate.class);
        for (BundledData data : sets) {
            try (Stream<Row> rows = RowReaders.rows(data.file())) {
                for (Row row : (Iterable<Row>) rows::iterator) {
                    String id = data.idPrefix() + ":" + row.line();
                    String text = row.require("text");
                    StreamPlan.Fate fate = plan.fate(data, id, text);
                    counts.merge(fate, 1, Integer::sum);
                    String label = row.require("label").trim();
                    (fate == StreamPlan.Fate.HELD_OUT ? heldOut : reviews).add(Review.newBuilder()
                            .setId(id)
                            .setText(text)
                            .setLabel(fate == StreamPlan.Fate.UNLABELED ? null : data.labelMap().getOrDefault(label, label))
                            .setRating(null)
                            .setDomain(data.domainColumn() == null ? data.fixedDomain() : row.require(data.domainColumn()))
                            // Stamped again when sent: event time is when the review enters the stream.
                            .setEventTime(Instant.EPOCH)
                            .build());
                }
            }
        }
        return new Selection(reviews, counts, heldOut);
    }

    @Override
    public void run() {
        Map<String, Object> settings = new java.util.HashMap<>(producerSettings);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        long intervalNanos = (long) (1_000_000_000L / perSecond);
        var producer = new KafkaProducer<String, Review>(settings, new StringSerializer(),
                new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false));
        try {
            long next = System.nanoTime();
            for (long n = alreadySent; !reviews.isEmpty() && (repeats.isPresent() || n < reviews.size()); n++) {
                if (stopped || failure.get() != null) {
                    break;
                }
                // Pacing to the requested rate (this is the product's rate limit, not a wait in a test).
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += intervalNanos;
                long passOfN = n / reviews.size() + 1;
                Review review = reviews.get((int) (n % reviews.size()));
                if (passOfN != pass.getAndSet(passOfN)) {
                    announce.accept(String.format(Locale.ROOT, "all %d reviews sent; pass %d sends them again as ID#%d "
                            + "(each on its original's side of the trainer's evaluation split)", reviews.size(), passOfN,
                            passOfN));
                }
                Review stamped = Review.newBuilder(review)
                        .setId(repeats.map(r -> r.of(review.getId(), passOfN)).orElse(review.getId()))
                        .setEventTime(Instant.ofEpochMilli(System.currentTimeMillis()))
                        .build();
                producer.send(new ProducerRecord<>(Topics.REVIEWS, stamped.getId(), stamped), (meta, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        acked.incrementAndGet();
                    }
                });
            }
            if (!stopped) {
                producer.flush();
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            // Bounded: on shutdown the broker may already be going, and nothing here is worth waiting minutes for.
            producer.close(java.time.Duration.ofSeconds(10));
            done = true;
        }
    }

    void stop() {
        stopped = true;
    }

    /** Reviews on the topic from this selection: the earlier runs' and this one's acknowledged sends. */
    long acked() {
        return alreadySent + acked.get();
    }

    /** Reviews in one pass. */
    int total() {
        return reviews.size();
    }

    /** The pass being sent: 1 for the originals, 2 for their first repeat, ... */
    long pass() {
        return pass.get();
    }

    boolean done() {
        return done;
    }

    Exception failure() {
        return failure.get();
    }
}
