package dev.sentiflow.text.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CsvRowReaderTest {

    private static List<Row> read(String csv) {
        try (Stream<Row> rows = RowReaders.rows(new StringReader(csv), "t.csv", RowFormat.CSV)) {
            return rows.collect(Collectors.toList());
        }
    }

    @Test
    void readsQuotedFieldsWithCommasNewlinesAndEscapedQuotes() {
        String csv = "\"text\",\"label\",id\r\n"
                + "\"plain\",1,a\r\n"
                + "\"with, comma\",0,b\r\n"
                + "\"two\nlines\",1,c\n"
                + "\"she said \"\"hi\"\"\",0,d\n"
                + "unquoted text,1,\n"
                + "\"\",0,f";
        List<Row> rows = read(csv);
        assertEquals(6, rows.size());
        assertEquals("plain", rows.get(0).require("text"));
        assertEquals("with, comma", rows.get(1).require("text"));
        assertEquals("two\nlines", rows.get(2).require("text"));
        assertEquals("she said \"hi\"", rows.get(3).require("text"));
        assertEquals("unquoted text", rows.get(4).require("text"));
        assertEquals("", rows.get(4).require("id"));
        assertEquals("", rows.get(5).require("text"));
        assertEquals("f", rows.get(5).require("id"));
        // Line numbers are where each record starts; the two-line record moves the next one down.
        assertEquals(2, rows.get(0).line());
        assertEquals(4, rows.get(2).line());
        assertEquals(6, rows.get(3).line());
        assertEquals(List.of("text", "label", "id"), List.copyOf(rows.get(0).fields().keySet()));
    }

    @Test
    void wrongFieldCountNamesFileAndLine() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> read("text,label\nok,1\n\"a\",1,extra\n"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("t.csv:3:"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 2 fields"), e.getMessage());
    }

    @Test
    void unclosedQuoteNamesTheLineWhereTheFieldStarts() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> read("text,label\nok,1\n\"never closed,1\nmore\n"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
    }

    @Test
    void garbageAfterClosingQuoteIsAnError() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> read("text,label\n\"ab\"c,1\n"));
        assertEquals(2, e.line());
    }

    @Test
    void missingColumnIsReportedWithTheColumnsThatExist() {
        Row row = read("body,label\nx,1\n").get(0);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> row.require("text"));
        assertTrue(e.getMessage().contains("no column 'text'") && e.getMessage().contains("body"), e.getMessage());
    }

    @Test
    void readsTheBundledReviewFile() throws Exception {
        Path file = Path.of("../data/finefoods_test.csv");
        assertTrue(java.nio.file.Files.exists(file), "bundled data missing: " + file.toAbsolutePath());
        try (Stream<Row> rows = RowReaders.rows(file)) {
            List<Row> all = rows.collect(Collectors.toList());
            assertEquals(1000, all.size());
            assertTrue(all.stream().allMatch(r -> r.require("label").equals("0") || r.require("label").equals("1")));
        }
    }
}
