package dev.sentiflow.deploy.report;

import java.util.Locale;

/** Text for the report page: escaping for element text and attribute values, and number formats. */
final class Html {

    /** What a missing number (NaN) prints as. */
    static final String NONE = "\u2013";

    private Html() {
    }

    /** Escapes text for an element or a quoted attribute value. */
    static String esc(Object text) {
        String s = String.valueOf(text);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A score or a loss with {@code digits} decimals; NaN as {@link #NONE}. */
    static String num(double value, int digits) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + digits + "f", value) : NONE;
    }

    /** A count with thousands separators: {@code 12,345}. */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** An SVG coordinate: one decimal, never NaN (callers leave out points they cannot place). */
    static String xy(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
