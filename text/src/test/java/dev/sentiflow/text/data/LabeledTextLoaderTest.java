package dev.sentiflow.text.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LabeledTextLoaderTest {

    private static Stream<Row> csv(String text) {
        return RowReaders.rows(new StringReader(text), "r.csv", RowFormat.CSV);
    }

    @Test
    void infersSortedLabelsAndMapsToIndices() {
        LabeledTextSet set = LabeledTextLoader.defaults().load(csv("text,label\na,pos\nb,neg\nc,pos\n"));
        assertEquals(List.of("neg", "pos"), set.labels().names());
        assertEquals(1, set.examples().get(0).label());
        assertEquals(0, set.examples().get(1).label());
        assertEquals("a", set.examples().get(0).id()); // no id column: the text is the id
        assertEquals(2, set.classCounts()[1]);
    }

    @Test
    void numericLabelsSortNumerically() {
        LabelSet labels = LabelSet.inferred(List.of("10", "2", "1"));
        assertEquals(List.of("1", "2", "10"), labels.names());
    }

    @Test
    void configurableColumnsLimitAndIdColumn() {
        String data = "review,stars,key\nfine,5,k1\nawful,1,k2\nok,3,k3\n";
        LabeledTextSet set = LabeledTextLoader.defaults()
                .textColumn("review")
                .labelColumn("stars")
                .idColumn("key")
                .labels(LabelSet.of(List.of("1", "5")))
                .limit(2)
                .load(csv(data));
        assertEquals(2, set.size());
        assertEquals("k2", set.examples().get(1).id());
        assertEquals(0, set.examples().get(1).label());
    }

    @Test
    void unknownLabelNamesFileLineAndKnownLabels() {
        MalformedDataException e = assertThrows(
                MalformedDataException.class,
                () -> LabeledTextLoader.defaults().labels(LabelSet.of(List.of("0", "1"))).load(csv("text,label\na,1\nb,2\n")));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("unknown label '2'") && e.getMessage().contains("[0, 1]"), e.getMessage());
    }

    @Test
    void singleLabelCannotBeInferred() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> LabeledTextLoader.defaults().load(csv("text,label\na,1\nb,1\n")));
        assertTrue(e.getMessage().contains("pass the label list"), e.getMessage());
    }
}
