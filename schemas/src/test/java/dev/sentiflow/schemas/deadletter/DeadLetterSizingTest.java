package dev.sentiflow.schemas.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLetterSizingTest {

    @Test
    void theBudgetIsTheSmallerLimitLessTheEnvelopeMargin() {
        assertEquals(1_048_576 - DeadLetterSizing.ENVELOPE_MARGIN, DeadLetterSizing.KAFKA_DEFAULTS.maxCarried());
        assertEquals(200_000 - DeadLetterSizing.ENVELOPE_MARGIN,
                DeadLetterSizing.forLimits(5_000_000, 200_000).maxCarried());
        assertThrows(IllegalArgumentException.class, () -> DeadLetterSizing.forLimits(1_048_576, 20_000));
    }

    @Test
    void aSmallValueIsCarriedWholeWithItsLengthAndDigest() {
        byte[] value = "hello".getBytes(StandardCharsets.UTF_8);
        var carried = DeadLetterSizing.KAFKA_DEFAULTS.carry("k".getBytes(StandardCharsets.UTF_8), value);
        assertFalse(carried.valueTruncated());
        assertArrayEquals(value, carried.originalValue().array());
        assertEquals(5, carried.valueLength());
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", carried.valueSha256());
        assertEquals("", carried.note());
        var tombstone = DeadLetterSizing.KAFKA_DEFAULTS.carry(null, null);
        assertNull(tombstone.originalValue());
        assertEquals(-1, tombstone.valueLength());
    }

    @Test
    void aValueOverTheBudgetIsCutToAPrefixThatLeavesRoomForTheKeyTwice() {
        var sizing = DeadLetterSizing.forLimits(100_000, 100_000);
        byte[] key = new byte[1000];
        byte[] value = new byte[99_000];
        Arrays.fill(value, (byte) 7);
        var carried = sizing.carry(key, value);
        assertTrue(carried.valueTruncated());
        assertEquals(sizing.maxCarried() - 2 * key.length, carried.originalValue().remaining());
        assertEquals(99_000, carried.valueLength());
        assertEquals(DeadLetterSizing.sha256(value), carried.valueSha256());
        assertArrayEquals(key, carried.recordKey());
    }

    @Test
    void aGiantKeyIsCutTooAndTheLetterSaysSo() {
        var sizing = DeadLetterSizing.forLimits(100_000, 100_000);
        byte[] key = new byte[90_000];
        var carried = sizing.carry(key, new byte[10]);
        assertEquals(sizing.maxCarried() / 8, carried.recordKey().length);
        assertTrue(carried.note().contains("cut from 90000"), carried.note());
        assertFalse(carried.valueTruncated());
    }

    @Test
    void longTextIsClippedWithoutSplittingACharacter() {
        assertEquals("short", DeadLetterSizing.clip("short"));
        String clipped = DeadLetterSizing.clip("a".repeat(DeadLetterSizing.MAX_TEXT_CHARS - 1) + "😀".repeat(10));
        assertTrue(clipped.length() < DeadLetterSizing.MAX_TEXT_CHARS + 30, clipped);
        assertFalse(Character.isHighSurrogate(clipped.charAt(clipped.indexOf("...") - 1)), "half a character");
        assertTrue(clipped.endsWith("(1019 chars)"), clipped);
    }
}
