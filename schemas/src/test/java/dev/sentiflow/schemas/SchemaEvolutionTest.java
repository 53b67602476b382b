package dev.sentiflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.avro.TrainingMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every released version of every contract lives in {@code schema-history/<Name>/vN.avsc}. The
 * current generated class must read records written with each of them (backward compatibility),
 * and the newest history entry must equal the current schema, so a change cannot ship without
 * being recorded and checked here.
 */
class SchemaEvolutionTest {

    static Stream<Class<?>> contracts() {
        return Stream.of(Review.class, TokenizedReview.class, Prediction.class, ModelCheckpoint.class,
                TrainingMetrics.class, DeadLetter.class, LiveMetrics.class);
    }

    @ParameterizedTest
    @MethodSource("contracts")
    void currentSchemaReadsEveryReleasedVersion(Class<?> type) throws Exception {
        Schema current = SpecificData.get().getSchema(type);
        List<Path> history = history(current.getName());
        assertFalse(history.isEmpty(), "no schema-history entry for " + current.getName());
        for (Path version : history) {
            Schema old = new Schema.Parser().parse(version.toFile());
            var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, compatibility.getType(),
                    current.getName() + " cannot read " + version.getFileName() + ": " + compatibility.getDescription());
            // Not only the checker's word: write random records with the old schema, read them with the class.
            Random random = new Random(7);
            for (int i = 0; i < 20; i++) {
                GenericRecord written = RandomRecords.of(old, random);
                Object read = readAs(type, old, current, write(old, written));
                assertEquals(type, read.getClass());
            }
        }
        Schema newest = new Schema.Parser().parse(history.get(history.size() - 1).toFile());
        // The generated class adds avro.java.string hints that the .avsc source does not have.
        Schema source = new Schema.Parser().parse(current.toString().replace(",\"avro.java.string\":\"String\"", ""));
        assertEquals(newest, source, current.getName() + " changed without a new schema-history entry");
    }

    @Test
    void theCheckCatchesAnIncompatibleChange() {
        Schema current = Review.getClassSchema();
        String json = current.toString().replace("\"fields\":[",
                "\"fields\":[{\"name\":\"mandatoryNewField\",\"type\":\"string\"},");
        Schema breaking = new Schema.Parser().parse(json);
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(breaking, current);
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE, compatibility.getType());
        assertTrue(compatibility.getDescription().contains("mandatoryNewField"), compatibility.getDescription());
    }

    private static List<Path> history(String name) throws IOException, URISyntaxException {
        Path dir = Path.of(SchemaEvolutionTest.class.getResource("/schema-history/" + name).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".avsc"))
                    .sorted((a, b) -> Integer.compare(versionOf(a), versionOf(b))).toList();
        }
    }

    private static int versionOf(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf('.')));
    }

    private static byte[] write(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema, GenericData.get()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Object readAs(Class<?> type, Schema writer, Schema reader, byte[] bytes) throws IOException {
        var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        return new SpecificDatumReader<>(writer, reader).read(null, decoder);
    }
}
