package io.jvirt.api.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "64Mi,     67108864",
        "128Mi,    134217728",
        "1Gi,      1073741824",
        "2Gi,      2147483648",
        "1Ki,      1024",
        "1Ti,      1099511627776",
        "1G,       1000000000",
        "128M,     128000000",
        "1024M,    1024000000",
        "1k,       1000",
        "500m,     0.5",
        "100u,     0.0001",
        "5n,       0.000000005",
        "1e3,      1000",
        "1.5Gi,    1610612736",
        "0.5,      0.5",
        "42,       42",
        "1E2,      100",
        "2e-1,     0.2",
    })
    void parsesValue(String text, String expected) {
        assertEquals(0, new BigDecimal(expected).compareTo(Quantity.parse(text).value()),
                () -> text + " parsed as " + Quantity.parse(text).value());
    }

    @ParameterizedTest(name = "{0} = {1} MiB")
    @CsvSource({"64Mi, 64", "1Gi, 1024", "1G, 954", "128M, 123", "1024M, 977", "1, 1"})
    void mebibytesRoundUp(String text, long mib) {
        assertEquals(mib, Quantity.parse(text).toMebibytesCeiling());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Mi", "1Xi", "1 Gi", "1mi", "1KB", "abc", "1.2.3", "1e", "--1"})
    void rejectsGarbage(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.parse(text));
        assertEquals(true, e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void equalityIsNumericButTextIsKept() {
        assertEquals(Quantity.parse("1Gi"), Quantity.parse("1024Mi"));
        assertEquals(Quantity.parse("1Gi").hashCode(), Quantity.parse("1024Mi").hashCode());
        assertEquals("1024Mi", Quantity.parse("1024Mi").toString());
    }

    @Test
    void jsonNumbersAreQuantitiesToo() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        assertEquals(Quantity.parse("2"), mapper.readValue("2", Quantity.class));
        assertEquals(Quantity.parse("0.5"), mapper.readValue("0.5", Quantity.class));
    }

    @Test
    void jsonRoundTripKeepsText() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Quantity q = mapper.readValue("\"1.50Gi\"", Quantity.class);
        assertEquals(1610612736L, q.toLongCeiling());
        assertEquals("\"1.50Gi\"", mapper.writeValueAsString(q));
    }
}
