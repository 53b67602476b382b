package dev.sentiflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String TEXT = """
            # HELP sentiflow_records_total Records in
            # TYPE sentiflow_records_total counter
            sentiflow_records_total{service="ingest",reason="empty text"} 3.0
            sentiflow_records_total{service="ingest",reason="quote \\" and \\\\ and \\n"} 1
            # TYPE batch_seconds histogram
            batch_seconds_bucket{le="+Inf",} 7 1700000000000
            batch_seconds_count 7
            jvm_up NaN
            """;

    @Test
    void readsNamesLabelsEscapesValuesAndTypes() {
        PrometheusText p = PrometheusText.parse(TEXT);
        assertEquals(5, p.samples().size());
        assertEquals(Optional.of(4.0), p.sum("sentiflow_records_total", Map.of("service", "ingest")));
        assertEquals(1, p.samples("sentiflow_records_total", Map.of("reason", "quote \" and \\ and \n")).size());
        assertEquals(Optional.of("counter"), p.type("sentiflow_records_total"));
        assertEquals(Optional.of("Records in"), p.help("sentiflow_records_total"));
        assertEquals("+Inf", p.samples("batch_seconds_bucket", Map.of()).get(0).labels().get("le"));
        assertTrue(Double.isNaN(p.samples("jvm_up", Map.of()).get(0).value()));
        assertTrue(p.sum("absent", Map.of()).isEmpty());
    }

    @Test
    void refusesWhatAScraperWouldNameTheLine() {
        for (String bad : new String[] {"name{a=\"x} 1", "name{a=x} 1", "1name 2", "name", "name{a=\"1\",a=\"2\"} 1",
                "name 1 2 3", "# TYPE name meter", "name{a=\"\\q\"} 1", "name 12abc"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PrometheusText.parse("ok 1\n" + bad + "\n"), bad);
            assertTrue(e.getMessage().startsWith("line 2 "), e.getMessage());
        }
    }
}
