package dev.sentiflow.text.data;

import java.util.LinkedHashMap;
import java.util.Map;

/** A file's label values renamed to a model's label names, written {@code FROM=TO,...} (e.g. {@code 0=negative,1=positive}). */
public final class LabelMap {

    private LabelMap() {
    }

    /** Parses {@code FROM=TO} pairs separated by commas; empty text is the identity (no renaming). */
    public static Map<String, String> parse(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--label-map entry '" + pair + "' is not FROM=TO");
            }
            map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return map;
    }
}
