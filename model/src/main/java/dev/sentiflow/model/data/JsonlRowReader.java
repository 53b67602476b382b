package dev.sentiflow.model.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Reads JSON Lines: one JSON object per line, blank lines skipped. Scalar values become their
 * text ({@code 1} → "1", {@code true} → "true"); null values are left out; nested objects and
 * arrays are kept as compact JSON text.
 */
public final class JsonlRowReader implements Iterator<Row>, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader in;
    private final String source;
    private long line;
    private Row next;

    public JsonlRowReader(BufferedReader in, String source) {
        this.in = in;
        this.source = source;
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            String text;
            try {
                text = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + source + " near line " + (line + 1), e);
            }
            if (text == null) {
                return false;
            }
            line++;
            if (!text.isBlank()) {
                next = parse(text);
            }
        }
        return true;
    }

    private Row parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedDataException(source, line, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new MalformedDataException(source, line, "expected a JSON object per line");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            fields.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
        }
        return new Row(source, line, fields);
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Row row = next;
        next = null;
        return row;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + source, e);
        }
    }
}
