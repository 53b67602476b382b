package dev.sentiflow.trainer;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** The bundled UCI review sentences as ingest would tokenize them, in a fixed shuffled order (domains mixed). */
final class UciTokenized {

    static final Path FILE = Path.of("../data/uci_sentiment_sentences.csv");

    private UciTokenized() {
    }

    static List<TokenizedReview> load(TextTokenizer tokenizer) throws Exception {
        List<Row> rows;
        try (Stream<Row> stream = RowReaders.rows(FILE)) {
            rows = new ArrayList<>(stream.toList());
        }
        Collections.shuffle(rows, new Random(11));
        List<TokenizedReview> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            TextTokenizer.Encoded encoded = tokenizer.tokenize(row.require("text"));
            List<Integer> ids = new ArrayList<>(encoded.ids().length);
            for (int id : encoded.ids()) {
                ids.add(id);
            }
            out.add(TokenizedReview.newBuilder().setId("uci:" + row.line()).setTokenIds(ids)
                    .setLabel(row.require("label").equals("1") ? "positive" : "negative").setDomain(row.require("source"))
                    .setEventTime(Instant.EPOCH).setTokenizerId(tokenizer.id()).setTruncated(encoded.truncated()).build());
        }
        return out;
    }
}
