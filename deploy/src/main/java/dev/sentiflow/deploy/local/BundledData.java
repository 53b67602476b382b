package dev.sentiflow.deploy.local;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A labelled file in {@code data/} that the local stack streams, and how its rows become reviews.
 *
 * @param idPrefix record ids are {@code <prefix>:<line>} (the files have no id column), stable across runs
 * @param domainColumn column naming the domain, or null for {@code fixedDomain}
 * @param heldOutShare share of the file kept back as a fixed test set and never streamed, chosen by
 *     {@code StableSplit} on the text; empty when the data set has its own test file
 */
public record BundledData(String name, Path file, String idPrefix, String domainColumn, String fixedDomain,
                          Map<String, String> labelMap, Optional<Double> heldOutShare) {

    private static final Map<String, String> BINARY = Map.of("0", "negative", "1", "positive");

    /**
     * UCI sentiment sentences (amazon, imdb, yelp). 20% is held out by the same hash
     * {@code ./pipeline finetune --eval-fraction 0.2} evaluates on (the text, as that command uses
     * for an id-less file), so its numbers and the stream's held-out set are the same examples.
     */
    public static BundledData uci(Path dataDir) {
        return new BundledData("uci", dataDir.resolve("uci_sentiment_sentences.csv"), "uci", "source", null, BINARY,
                Optional.of(0.2));
    }

    /** Amazon fine-food reviews: the train file is streamed whole; finefoods_test.csv is the test set. */
    public static BundledData finefoods(Path dataDir) {
        return new BundledData("finefoods", dataDir.resolve("finefoods_train.csv"), "finefoods", null, "finefoods",
                BINARY, Optional.empty());
    }
}
