package dev.sentiflow.text.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class JsonlRowReaderTest {

    private static List<Row> read(String jsonl) {
        try (Stream<Row> rows = RowReaders.rows(new StringReader(jsonl), "t.jsonl", RowFormat.JSONL)) {
            return rows.collect(Collectors.toList());
        }
    }

    @Test
    void readsObjectsAndTurnsScalarsIntoText() {
        List<Row> rows = read("{\"text\":\"good, \\\"really\\\"\",\"label\":1,\"ok\":true}\n\n{\"text\":\"bad\",\"label\":\"0\",\"x\":null}\n");
        assertEquals(2, rows.size());
        assertEquals("good, \"really\"", rows.get(0).require("text"));
        assertEquals("1", rows.get(0).require("label"));
        assertEquals("true", rows.get(0).require("ok"));
        assertEquals(3, rows.get(1).line());
        assertFalse(rows.get(1).has("x"));
    }

    @Test
    void malformedLineNamesFileAndLine() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> read("{\"text\":\"a\",\"label\":1}\n{\"text\": oops}\n"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith("t.jsonl:2:"), e.getMessage());
    }

    @Test
    void nonObjectLineIsAnError() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> read("[1,2]\n"));
        assertEquals(1, e.line());
    }
}
