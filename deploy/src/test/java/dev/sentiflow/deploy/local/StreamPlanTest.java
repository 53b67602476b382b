package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.Review;
import dev.sentiflow.text.data.StableSplit;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The local stack streams the bundled UCI file minus its fixed test split, labeled as asked. */
class StreamPlanTest {

    // Surefire runs in the module folder; the data lives at the project root.
    private static final Path DATA = Path.of("..", "data");

    @Test
    void theTestSplitIsNeverStreamedAndIsTheOneFinetuneEvaluatesOn() throws Exception {
        BundledData uci = BundledData.uci(DATA);
        ReviewStreamer.Selection selection = ReviewStreamer.select(List.of(uci), new StreamPlan(0.5));
        int heldOut = selection.counts().get(StreamPlan.Fate.HELD_OUT);
        assertEquals(3000, heldOut + selection.reviews().size());
        StableSplit finetuneSplit = new StableSplit(0.2);
        assertTrue(selection.reviews().stream().noneMatch(r -> finetuneSplit.isEval(r.getText())),
                "a review of the test split was streamed");

        // About a fifth of every domain is held out.
        Map<String, Long> streamedPerDomain = selection.reviews().stream()
                .collect(Collectors.groupingBy(Review::getDomain, Collectors.counting()));
        assertEquals(Set.of("amazon", "imdb", "yelp"), streamedPerDomain.keySet());
        streamedPerDomain.forEach((domain, streamed) -> {
            double share = 1 - streamed / 1000.0;
            assertTrue(share > 0.15 && share < 0.25, domain + " held out " + share);
        });
    }

    @Test
    void theLabeledShareKeepsLabelsAndTheRestGoUnlabeled() throws Exception {
        BundledData uci = BundledData.uci(DATA);
        List<Review> reviews = ReviewStreamer.select(List.of(uci), new StreamPlan(0.5)).reviews();
        long labeled = reviews.stream().filter(r -> r.getLabel() != null).count();
        double share = labeled / (double) reviews.size();
        assertTrue(share > 0.45 && share < 0.55, "labeled share " + share);
        assertTrue(reviews.stream().filter(r -> r.getLabel() != null)
                .allMatch(r -> Set.of("negative", "positive").contains(r.getLabel())));
        assertTrue(reviews.stream().allMatch(r -> r.getId().startsWith("uci:")));

        assertTrue(ReviewStreamer.select(List.of(uci), new StreamPlan(0)).reviews().stream()
                .allMatch(r -> r.getLabel() == null));
        assertTrue(ReviewStreamer.select(List.of(uci), new StreamPlan(1)).reviews().stream()
                .allMatch(r -> r.getLabel() != null));
    }

    @Test
    void everyRunStreamsTheSameReviewsTheSameWay() throws Exception {
        BundledData uci = BundledData.uci(DATA);
        Map<String, String> first = new HashMap<>();
        ReviewStreamer.select(List.of(uci), new StreamPlan(0.5)).reviews()
                .forEach(r -> first.put(r.getId(), r.getLabel()));
        Map<String, String> second = new HashMap<>();
        ReviewStreamer.select(List.of(uci), new StreamPlan(0.5)).reviews()
                .forEach(r -> second.put(r.getId(), r.getLabel()));
        assertEquals(first, second);
    }

    @Test
    void fineFoodsHasItsOwnTestFileSoAllOfTrainIsStreamed() throws Exception {
        ReviewStreamer.Selection selection = ReviewStreamer.select(List.of(BundledData.finefoods(DATA)),
                new StreamPlan(1));
        assertEquals(4000, selection.reviews().size());
        assertNull(selection.counts().get(StreamPlan.Fate.HELD_OUT));
        assertTrue(selection.reviews().stream().allMatch(r -> r.getDomain().equals("finefoods")));
    }

    @Test
    void aFewReviewsAreSpreadOverEveryDomainAndTheTestSplitStaysWhole() throws Exception {
        ReviewStreamer.Selection all = ReviewStreamer.select(List.of(BundledData.uci(DATA)), new StreamPlan(0.5));
        ReviewStreamer.Selection few = all.spreadOver(300);
        assertEquals(300, few.reviews().size());
        assertEquals(300, few.reviews().stream().map(Review::getId).distinct().count());
        assertTrue(all.reviews().containsAll(few.reviews()));
        Map<String, Long> perDomain = few.reviews().stream()
                .collect(Collectors.groupingBy(Review::getDomain, Collectors.counting()));
        perDomain.forEach((domain, n) -> assertTrue(n >= 95 && n <= 105, domain + ": " + n + " of 300"));
        assertEquals(Set.of("amazon", "imdb", "yelp"), perDomain.keySet());
        assertEquals(few.reviews().stream().filter(r -> r.getLabel() != null).count(),
                (long) few.counts().get(StreamPlan.Fate.LABELED));
        assertEquals(300, few.counts().get(StreamPlan.Fate.LABELED) + few.counts().get(StreamPlan.Fate.UNLABELED));
        assertEquals(all.heldOut(), few.heldOut());
        assertEquals(all.counts().get(StreamPlan.Fate.HELD_OUT), few.counts().get(StreamPlan.Fate.HELD_OUT));

        assertSame(all, all.spreadOver(all.reviews().size() + 1));
        assertThrows(IllegalArgumentException.class, () -> all.spreadOver(0));
    }
}
