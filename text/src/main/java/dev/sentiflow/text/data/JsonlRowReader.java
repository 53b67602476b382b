package dev.sentiflow.text.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads JSON Lines: one JSON object per line, blank lines skipped. Scalar values become their
 * text ({@code 1} → "1", {@code true} → "true"); null values are left out; nested objects and
 * arrays are kept as compact JSON text.
 */
public final class JsonlRowReader extends LookaheadRowReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader in;
    private long line;

    public JsonlRowReader(BufferedReader in, String source) {
        super(in, source);
        this.in = in;
    }

    @Override
    protected Row readRow() {
        while (true) {
            String text;
            try {
                text = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + source + " near line " + (line + 1), e);
            }
            if (text == null) {
                return null;
            }
            line++;
            if (!text.isBlank()) {
                return parse(text);
            }
        }
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
}
