package dev.sentiflow.trainer.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DomainReservoirsTest {

    @Test
    void eachDomainKeepsItsOwnCappedSample() {
        DomainReservoirs<String> samples = new DomainReservoirs<>(10, 8, 3);
        for (int i = 0; i < 1000; i++) {
            samples.offer("amazon", "a" + i);
        }
        for (int i = 0; i < 3; i++) {
            samples.offer("yelp", "y" + i);
        }
        assertEquals(10, samples.items("amazon").size());
        assertEquals(List.of("y0", "y1", "y2"), samples.items("yelp"));
        assertEquals(13, samples.size());
        assertEquals(13, samples.allItems().size());
        assertEquals(1000, samples.seen("amazon"));
        assertEquals(List.of(), samples.items("imdb"));
    }

    @Test
    void domainsPastTheCapShareOneReservoir() {
        DomainReservoirs<String> samples = new DomainReservoirs<>(100, 2, 3);
        for (String domain : List.of("a", "b", "c", "d", "a", "c")) {
            samples.offer(domain, domain);
        }
        assertEquals(List.of("a", "b", DomainReservoirs.OVERFLOW_DOMAIN), samples.domains());
        assertEquals(List.of("c", "d", "c"), samples.items(DomainReservoirs.OVERFLOW_DOMAIN));
        assertEquals(List.of("a", "a"), samples.items("a"));
    }

    @Test
    void aDomainsSampleDoesNotDependOnHowDomainsInterleave() {
        DomainReservoirs<Integer> interleaved = new DomainReservoirs<>(5, 4, 11);
        DomainReservoirs<Integer> oneAfterTheOther = new DomainReservoirs<>(5, 4, 11);
        for (int i = 0; i < 200; i++) {
            interleaved.offer("a", i);
            interleaved.offer("b", i);
        }
        for (int i = 0; i < 200; i++) {
            oneAfterTheOther.offer("b", i);
        }
        for (int i = 0; i < 200; i++) {
            oneAfterTheOther.offer("a", i);
        }
        assertEquals(interleaved.items("a"), oneAfterTheOther.items("a"));
        assertEquals(interleaved.items("b"), oneAfterTheOther.items("b"));
        // Domains are seeded apart, so two domains with the same stream keep different samples.
        assertNotEquals(interleaved.items("a"), interleaved.items("b"));
        assertTrue(interleaved.items("a").stream().anyMatch(i -> i >= 5));
    }
}
