package io.jvirt.api.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest(name = "{0} = {1}, canonical {2}, {3}")
    @CsvSource(delimiter = '|', value = {
        // binary SI
        "1Ki        | 1024                  | 1Ki          | BINARY_SI",
        "64Mi       | 67108864              | 64Mi         | BINARY_SI",
        "1024Mi     | 1073741824            | 1Gi          | BINARY_SI",
        "1.5Gi      | 1610612736            | 1536Mi       | BINARY_SI",
        "1Ti        | 1099511627776         | 1Ti          | BINARY_SI",
        "1Pi        | 1125899906842624      | 1Pi          | BINARY_SI",
        "1Ei        | 1152921504606846976   | 1Ei          | BINARY_SI",
        "7Ei        | 8070450532247928832   | 7Ei          | BINARY_SI",
        "8Ei        | 9223372036854775807   | 9223372036854775807 | BINARY_SI",  // capped at 2^63-1, as Kubernetes does
        "16Ei       | 9223372036854775807   | 9223372036854775807 | BINARY_SI",
        "-16Ei      | -9223372036854775807  | -9223372036854775807 | BINARY_SI",
        "9223372036854775807Ki | 9223372036854775807 | 9223372036854775807 | BINARY_SI",
        "0.5Mi      | 524288                | 512Ki        | BINARY_SI",
        "100.035Ki  | 102435.84             | 102435840m   | BINARY_SI",  // not an integer: written as decimal
        "0.5Ki      | 512                   | 512          | BINARY_SI",  // below 1024: written as decimal
        "-2Ki       | -2048                 | -2Ki         | BINARY_SI",
        "0Ki        | 0                     | 0            | BINARY_SI",
        ".001Ki     | 1.024                 | 1024m        | BINARY_SI",
        ".000000001Ki | 0.000001024         | 1024n        | DECIMAL_SI", // a binary value below one is decimal
        ".000000000001Ki | 0.000000002      | 2n           | DECIMAL_SI", // rounded up to a nano
        // decimal SI
        "5n         | 0.000000005           | 5n           | DECIMAL_SI",
        "4u         | 0.000004              | 4u           | DECIMAL_SI",
        "500m       | 0.5                   | 500m         | DECIMAL_SI",
        "9          | 9                     | 9            | DECIMAL_SI",
        "42         | 42                    | 42           | DECIMAL_SI",
        "50k        | 50000                 | 50k          | DECIMAL_SI",
        "1000M      | 1000000000            | 1G           | DECIMAL_SI",
        "128M       | 128000000             | 128M         | DECIMAL_SI",
        "300T       | 300000000000000       | 300T         | DECIMAL_SI",
        "2P         | 2000000000000000      | 2P           | DECIMAL_SI",
        "1E         | 1000000000000000000   | 1E           | DECIMAL_SI",  // E alone is exa, not an exponent
        "12E        | 12000000000000000000  | 12E          | DECIMAL_SI",  // decimal quantities are not capped
        "1000E      | 1e21                  | 1e21         | DECIMAL_SI",  // beyond E: an exponent
        "1.5        | 1.5                   | 1500m        | DECIMAL_SI",
        "0.5        | 0.5                   | 500m         | DECIMAL_SI",
        "100.035k   | 100035                | 100035       | DECIMAL_SI",
        "7.123456M  | 7123456               | 7123456      | DECIMAL_SI",
        "1.01E      | 1010000000000000000   | 1010P        | DECIMAL_SI",
        "0.00500    | 0.005                 | 5m           | DECIMAL_SI",
        "+1.5       | 1.5                   | 1500m        | DECIMAL_SI",
        "-1.5       | -1.5                  | -1500m       | DECIMAL_SI",
        "007        | 7                     | 7            | DECIMAL_SI",
        "1.         | 1                     | 1            | DECIMAL_SI",
        ".5         | 0.5                   | 500m         | DECIMAL_SI",
        "1.G        | 1000000000            | 1G           | DECIMAL_SI",
        "0          | 0                     | 0            | DECIMAL_SI",
        "-0         | 0                     | 0            | DECIMAL_SI",
        "3.001n     | 0.000000004           | 4n           | DECIMAL_SI",  // finer than a nano: away from zero
        "-3.001n    | -0.000000004          | -4n          | DECIMAL_SI",
        "0.9n       | 0.000000001           | 1n           | DECIMAL_SI",
        "0.00000012345 | 0.000000124        | 124n         | DECIMAL_SI",
        // decimal exponents
        "1e3        | 1000                  | 1e3          | DECIMAL_EXPONENT",
        "1E3        | 1000                  | 1e3          | DECIMAL_EXPONENT",
        "1E-3       | 0.001                 | 1e-3         | DECIMAL_EXPONENT",
        "1.3E+6     | 1300000               | 1300e3       | DECIMAL_EXPONENT",
        "1.2e3      | 1200                  | 1200         | DECIMAL_EXPONENT",
        "0.5e-1     | 0.05                  | 50e-3        | DECIMAL_EXPONENT",
        "1.1E-9     | 0.000000002           | 2e-9         | DECIMAL_EXPONENT",
        "1e100      | 1e100                 | 10e99        | DECIMAL_EXPONENT",
        "1e-100     | 0.000000001           | 1e-9         | DECIMAL_EXPONENT",
        "1e2147483647 | 1e2147483647        | 10e2147483646 | DECIMAL_EXPONENT",
        "5e-2147483648 | 0.000000001        | 1e-9         | DECIMAL_EXPONENT",
        "0e2147483647 | 0                   | 0            | DECIMAL_EXPONENT",
    })
    void parsesValueAndCanonicalForm(String text, String value, String canonical, Quantity.Format format) {
        Quantity q = Quantity.parse(text);
        assertEquals(0, new BigDecimal(value).compareTo(q.value()), () -> text + " parsed as " + q.value());
        assertEquals(canonical, q.canonical(), text);
        assertEquals(format, q.format(), text);
        assertEquals(text, q.toString(), "the text is kept as given");
        assertEquals(q, Quantity.parse(q.canonical()), "parse(canonical) is the same value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "1 Gi", "Mi", "Ki", "+", "-", ".", "+.", "-Mi", "1.5.5", "1.1.M", "1+1.0M", "0.1mi",
        "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", "1e", "1e+", "1E+-3", "1ee3", "1e3i", "1Ki3", "1Xi", "1mi", "1KB", "1K",
        "abc", "--1", "++1", "1e1.5", "1e2147483648", "1e-2147483649", "1000e2147483647", "0x10", "1_000", "١"})
    void rejectsWhatKubernetesRefusesWithTheInput(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} = {1} MiB")
    @CsvSource({"64Mi, 64", "1Gi, 1024", "1G, 954", "128M, 123", "1024M, 977", "1, 1", "1Ei, 1099511627776", "16Ei, 8796093022208"})
    void mebibytesRoundUp(String text, long mib) {
        assertEquals(mib, Quantity.parse(text).toMebibytesCeiling());
    }

    @ParameterizedTest
    @CsvSource({"1Ei, 1152921504606846976", "16Ei, 9223372036854775807", "500m, 1", "-500m, 0", "1.5, 2", "9223372036854775807, 9223372036854775807",
        "-9223372036854775808, -9223372036854775808"})
    void longCeiling(String text, long expected) {
        assertEquals(expected, Quantity.parse(text).toLongCeiling());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e100", "16E", "9223372036854775808", "-9223372036854775809", "1e2147483647", "10E"})
    void tooLargeForALongSaysSoWithTheQuantity(String text) {
        Quantity q = Quantity.parse(text);
        ArithmeticException e = assertThrows(ArithmeticException.class, q::toLongCeiling);
        assertTrue(e.getMessage().contains(text) && e.getMessage().contains("too large"), e.getMessage());
        assertThrows(ArithmeticException.class, q::toMebibytesCeiling);
    }

    @Test
    void hugeExponentsStayCheap() {
        // a naive BigDecimal would build 10^2147483647 here (gigabytes, minutes); comparing, hashing and
        // formatting must not
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            Quantity huge = Quantity.parse("1e2147483647");
            Quantity tiny = Quantity.parse("1e-2147483648");
            assertTrue(huge.compareTo(Quantity.parse("1Ei")) > 0);
            assertTrue(tiny.compareTo(Quantity.parse("1n")) == 0);
            assertEquals(huge, Quantity.parse("10e2147483646"));
            assertEquals(huge.hashCode(), Quantity.parse("10e2147483646").hashCode());
            assertEquals("10e2147483646", huge.canonical());
            assertThrows(ArithmeticException.class, huge::toLongCeiling);
        });
    }

    @Test
    void equalityIsNumericButTextIsKept() {
        assertEquals(Quantity.parse("1Gi"), Quantity.parse("1024Mi"));
        assertEquals(Quantity.parse("1Gi").hashCode(), Quantity.parse("1024Mi").hashCode());
        assertEquals(Quantity.parse("1k"), Quantity.parse("1e3"));
        assertEquals(Quantity.parse("1k").hashCode(), Quantity.parse("1000").hashCode());
        assertEquals("1024Mi", Quantity.parse("1024Mi").toString());
    }

    @Test
    void jsonNumbersAreQuantitiesToo() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        assertEquals(Quantity.parse("2"), mapper.readValue("2", Quantity.class));
        assertEquals(Quantity.parse("0.5"), mapper.readValue("0.5", Quantity.class));
        assertEquals(Quantity.parse("64Mi"), mapper.readValue("\" 64Mi \"", Quantity.class)); // trimmed, as Kubernetes does
    }

    @Test
    void jsonRoundTripKeepsText() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Quantity q = mapper.readValue("\"1.50Gi\"", Quantity.class);
        assertEquals(1610612736L, q.toLongCeiling());
        assertEquals("\"1.50Gi\"", mapper.writeValueAsString(q));
    }
}
