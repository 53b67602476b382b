package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetterReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelPolicyTest {

    private static final List<String> BINARY = List.of("negative", "positive");

    private static LabelPolicy policy(String mapping, List<String> labels) {
        return new LabelPolicy(labels, RatingMapping.parse(mapping, labels));
    }

    @Test
    void notebookDefaultMapsStarsAndExcludesThree() {
        LabelPolicy p = policy("1-2:negative,3:exclude,4-5:positive", BINARY);
        assertEquals(new LabelPolicy.Label("negative"), p.decide(null, 1));
        assertEquals(new LabelPolicy.Label("negative"), p.decide(null, 2));
        assertEquals(new LabelPolicy.Label("positive"), p.decide(null, 4));
        assertEquals(new LabelPolicy.Label("positive"), p.decide(null, 5));
        assertEquals(DeadLetterReason.NEUTRAL_EXCLUDED, ((LabelPolicy.Reject) p.decide(null, 3)).reason());
        LabelPolicy.Reject outside = (LabelPolicy.Reject) p.decide(null, 0);
        assertEquals(DeadLetterReason.INVALID_RATING, outside.reason());
        assertTrue(outside.detail().contains("rating 0"), outside.detail());
    }

    @Test
    void threeClassesKeepNeutral() {
        List<String> three = List.of("negative", "neutral", "positive");
        LabelPolicy p = policy("1-2:negative,3:neutral,4-5:positive", three);
        assertEquals(new LabelPolicy.Label("neutral"), p.decide(null, 3));
    }

    @Test
    void explicitLabelWinsAndIsCanonicalised() {
        LabelPolicy p = policy("1-2:negative,3:exclude,4-5:positive", BINARY);
        assertEquals(new LabelPolicy.Label("positive"), p.decide(" Positive ", 1));
        LabelPolicy.Reject unknown = (LabelPolicy.Reject) p.decide("meh", null);
        assertEquals(DeadLetterReason.UNKNOWN_LABEL, unknown.reason());
        assertTrue(unknown.detail().contains("'meh'") && unknown.detail().contains("[negative, positive]"));
    }

    /** 'none' (or empty): ratings are not labels, so a rating alone leaves a review unlabeled, not dead-lettered. */
    @Test
    void noMappingLeavesRatedReviewsUnlabeledAndExplicitLabelsStillCount() {
        List<String> sources = List.of("amazon", "imdb", "yelp");
        for (String none : List.of("none", "", " NONE ")) {
            LabelPolicy p = policy(none, sources);
            assertEquals(new LabelPolicy.Label(null), p.decide(null, 5));
            assertEquals(new LabelPolicy.Label("imdb"), p.decide("IMDB", 1));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RatingMapping.parse(",", BINARY)).getMessage()
                .contains("'none'"));
    }

    @Test
    void neitherLabelNorRatingIsUnlabeled() {
        assertEquals(new LabelPolicy.Label(null), policy("1-5:positive", BINARY).decide(null, null));
    }

    @Test
    void badMappingsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RatingMapping.parse("1-2:bad", BINARY))
                .getMessage().contains("'bad'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RatingMapping.parse("1-3:negative,3-5:positive", BINARY)).getMessage().contains("overlap"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RatingMapping.parse("5-1:negative", BINARY))
                .getMessage().contains("backwards"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RatingMapping.parse("x:negative", BINARY))
                .getMessage().contains("'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RatingMapping.parse("positive", BINARY))
                .getMessage().contains("RANGE:LABEL"));
    }
}
