package dev.sentiflow.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parser of the Prometheus text exposition format (version 0.0.4), as a scraper reads it: a
 * character-by-character reader of {@code # HELP}, {@code # TYPE} and sample lines (name, labels with
 * their escapes, value, optional timestamp) that refuses what Prometheus would refuse, naming the
 * line. Tests scrape a service's endpoint and ask for the samples of a metric.
 */
public final class PrometheusText {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** An HTTP answer of a service's ops endpoint. */
    public record Response(int status, String contentType, String body) {}

    private final List<Sample> samples;
    private final Map<String, String> types;
    private final Map<String, String> help;

    private PrometheusText(List<Sample> samples, Map<String, String> types, Map<String, String> help) {
        this.samples = List.copyOf(samples);
        this.types = Map.copyOf(types);
        this.help = Map.copyOf(help);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code GET http://127.0.0.1:PORT/PATH}. */
    public static Response get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** Scrapes {@code /metrics} on the port and parses it; a status other than 200 fails. */
    public static PrometheusText scrape(int port) throws IOException, InterruptedException {
        Response r = get(port, "/metrics");
        if (r.status() != 200) {
            throw new IOException("GET /metrics answered " + r.status() + ": " + r.body());
        }
        if (!r.contentType().startsWith("text/plain")) {
            throw new IOException("GET /metrics answered Content-Type " + r.contentType());
        }
        return parse(r.body());
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Map<String, String> help = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            try {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    Cursor c = new Cursor(line, 1);
                    c.skipBlanks();
                    String keyword = c.token();
                    if (keyword.equals("TYPE") || keyword.equals("HELP")) {
                        c.skipBlanks();
                        String name = c.metricName();
                        String rest = c.rest().strip();
                        if (keyword.equals("TYPE")) {
                            if (!List.of("counter", "gauge", "histogram", "summary", "untyped").contains(rest)) {
                                throw new IllegalArgumentException("unknown type '" + rest + "'");
                            }
                            if (types.put(name, rest) != null) {
                                throw new IllegalArgumentException("second TYPE line for " + name);
                            }
                        } else {
                            help.put(name, rest);
                        }
                    }
                    continue;
                }
                Cursor c = new Cursor(line, 0);
                String name = c.metricName();
                Map<String, String> labels = c.peek() == '{' ? c.labels() : Map.of();
                c.expectBlank();
                c.skipBlanks();
                double value = number(c.token());
                c.skipBlanks();
                if (!c.atEnd()) {
                    Long.parseLong(c.token()); // a timestamp in milliseconds
                    c.skipBlanks();
                    if (!c.atEnd()) {
                        throw new IllegalArgumentException("text after the timestamp");
                    }
                }
                samples.add(new Sample(name, labels, value));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not Prometheus text format (" + e.getMessage()
                        + "): " + line, e);
            }
        }
        return new PrometheusText(samples, types, help);
    }

    private static double number(String token) {
        return switch (token) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(token);
        };
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples named {@code name} whose labels include every one of {@code labels}. */
    public List<Sample> samples(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name)
                && labels.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey())))).toList();
    }

    /** The sum of those samples, empty when there is none. */
    public Optional<Double> sum(String name, Map<String, String> labels) {
        List<Sample> found = samples(name, labels);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.stream().mapToDouble(Sample::value).sum());
    }

    /** The declared type of a metric family ({@code counter}, {@code histogram}, ...). */
    public Optional<String> type(String family) {
        return Optional.ofNullable(types.get(family));
    }

    public Optional<String> help(String family) {
        return Optional.ofNullable(help.get(family));
    }

    /** Reads one line, left to right. */
    private static final class Cursor {
        private final String line;
        private int at;

        Cursor(String line, int at) {
            this.line = line;
            this.at = at;
        }

        boolean atEnd() {
            return at >= line.length();
        }

        char peek() {
            return atEnd() ? '\0' : line.charAt(at);
        }

        void skipBlanks() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
                at++;
            }
        }

        void expectBlank() {
            if (peek() != ' ' && peek() != '\t') {
                throw new IllegalArgumentException("expected a blank at column " + (at + 1));
            }
        }

        String token() {
            int start = at;
            while (!atEnd() && peek() != ' ' && peek() != '\t') {
                at++;
            }
            if (start == at) {
                throw new IllegalArgumentException("expected a value at column " + (at + 1));
            }
            return line.substring(start, at);
        }

        String rest() {
            String rest = line.substring(Math.min(at, line.length()));
            at = line.length();
            return rest;
        }

        String metricName() {
            return identifier(true);
        }

        private String identifier(boolean colons) {
            int start = at;
            while (!atEnd()) {
                char ch = peek();
                boolean ok = ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                        || (colons && ch == ':') || (at > start && ch >= '0' && ch <= '9');
                if (!ok) {
                    break;
                }
                at++;
            }
            if (start == at) {
                throw new IllegalArgumentException("expected a name at column " + (at + 1));
            }
            return line.substring(start, at);
        }

        Map<String, String> labels() {
            Map<String, String> labels = new LinkedHashMap<>();
            at++; // '{'
            while (true) {
                skipBlanks();
                if (peek() == '}') {
                    at++;
                    return labels;
                }
                String name = identifier(false);
                skipBlanks();
                expect('=');
                skipBlanks();
                expect('"');
                StringBuilder value = new StringBuilder();
                while (true) {
                    if (atEnd()) {
                        throw new IllegalArgumentException("unterminated label value");
                    }
                    char ch = line.charAt(at++);
                    if (ch == '"') {
                        break;
                    }
                    if (ch == '\\') {
                        char escaped = atEnd() ? '\0' : line.charAt(at++);
                        switch (escaped) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException("bad escape \\" + escaped);
                        }
                    } else {
                        value.append(ch);
                    }
                }
                if (labels.put(name, value.toString()) != null) {
                    throw new IllegalArgumentException("label " + name + " twice");
                }
                skipBlanks();
                if (peek() == ',') {
                    at++;
                } else if (peek() != '}') {
                    throw new IllegalArgumentException("expected , or } at column " + (at + 1));
                }
            }
        }

        private void expect(char ch) {
            if (peek() != ch) {
                throw new IllegalArgumentException("expected " + ch + " at column " + (at + 1));
            }
            at++;
        }
    }
}
