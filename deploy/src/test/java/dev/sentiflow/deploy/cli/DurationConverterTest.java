package dev.sentiflow.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @Test
    void readsWhatPeopleType() {
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("90s"));
        assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
        assertEquals(Duration.ofMinutes(90), DurationConverter.parse("1h30m"));
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofMinutes(5), DurationConverter.parse("PT5M"));
    }

    @Test
    void refusesTheRest() {
        for (String bad : new String[] {"", "5", "m", "5 minutes", "5m!", "-5m", "PTX"}) {
            assertThrows(TypeConversionException.class, () -> DurationConverter.parse(bad), bad);
        }
    }
}
