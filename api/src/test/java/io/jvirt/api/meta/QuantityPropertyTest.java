package io.jvirt.api.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of {@link Quantity} over random and edge-case quantities written in Kubernetes' grammar
 * (signs, leading zeros, points with and without digits, every suffix, exponents up to the 32-bit
 * bounds) and over arbitrary strings.
 */
class QuantityPropertyTest {
    private static final String[] SUFFIXES = {"", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    @Provide
    Arbitrary<String> quantities() {
        Arbitrary<String> sign = Arbitraries.of("", "", "+", "-");
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(25);
        Arbitrary<String> number = Combinators.combine(digits, Arbitraries.of("", "."), digits)
                .as((a, point, b) -> point.isEmpty() ? a : a + point + b)
                .filter(n -> n.chars().anyMatch(c -> c >= '0' && c <= '9'));
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                        Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, Integer.MAX_VALUE),
                                Arbitraries.of(0, 1, 9, 18, 19, 2147483646, 2147483647)))
                .as((e, s, n) -> e + s + n);
        Arbitrary<String> suffix = Arbitraries.oneOf(Arbitraries.of(SUFFIXES), exponent);
        return Combinators.combine(sign, number, suffix).as((s, n, x) -> s + n + x).filter(QuantityPropertyTest::fitsScale);
    }

    /** Leaves out the few exponents whose magnitude {@link Quantity} refuses (beyond 10^2147483648). */
    private static boolean fitsScale(String q) {
        try {
            Quantity.parse(q);
            return true;
        } catch (IllegalArgumentException e) {
            return !e.getMessage().contains("out of range");
        }
    }

    @Property(tries = 3000, edgeCases = EdgeCasesMode.MIXIN)
    void canonicalFormRoundTripsAndIsStable(@ForAll("quantities") String text) {
        Quantity q = Quantity.parse(text);
        String canonical = q.canonical();
        Quantity again = Quantity.parse(canonical);
        assertEquals(q, again, () -> text + " -> " + canonical);
        assertEquals(q.hashCode(), again.hashCode(), text);
        String second = again.canonical();
        if (q.format() != Quantity.Format.BINARY_SI) {
            assertEquals(canonical, second, () -> "canonical of " + canonical);
        }
        // a binary value written without suffix (1000000) reads back as decimal (1M), as in Kubernetes; then it is stable
        assertEquals(second, Quantity.parse(second).canonical(), () -> "canonical of " + second);
        assertTrue(canonical.equals("0") || !canonical.startsWith("+") && !canonical.startsWith("0"), canonical);
        assertEquals(text, q.toString());
    }

    @Property(tries = 1000)
    void orderIsTheOrderOfValuesAndOfCanonicalForms(@ForAll("quantities") String a, @ForAll("quantities") String b) {
        Quantity qa = Quantity.parse(a);
        Quantity qb = Quantity.parse(b);
        int order = Integer.signum(qa.compareTo(qb));
        assertEquals(-order, Integer.signum(qb.compareTo(qa)), "antisymmetric");
        assertEquals(order == 0, qa.equals(qb), "equals agrees with compareTo");
        if (order == 0) assertEquals(qa.hashCode(), qb.hashCode());
        assertEquals(order, Integer.signum(Quantity.parse(qa.canonical()).compareTo(Quantity.parse(qb.canonical()))));
    }

    @Property(tries = 1000)
    void suffixesScaleTheNumber(@ForAll @BigRange(min = "-99999999999999999999", max = "99999999999999999999") BigInteger n,
                                @ForAll @IntRange(min = 0, max = 6) int power) {
        String[] decimal = {"", "k", "M", "G", "T", "P", "E"};
        String[] binary = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        BigDecimal exact = new BigDecimal(n).scaleByPowerOfTen(3 * power);
        assertEquals(Quantity.parse(n + "e" + 3 * power), Quantity.parse(n + decimal[power]));
        assertEquals(0, exact.compareTo(Quantity.parse(n + decimal[power]).value()));
        BigDecimal binaryExact = new BigDecimal(n.shiftLeft(10 * power));
        BigDecimal capped = power > 0 && binaryExact.abs().compareTo(Quantity.BINARY_MAX) > 0 // "" is decimal: no cap
                ? Quantity.BINARY_MAX.multiply(BigDecimal.valueOf(n.signum())) : binaryExact;
        assertEquals(0, capped.compareTo(Quantity.parse(n + binary[power]).value()), () -> n + binary[power]);
    }

    @Property(tries = 2000)
    void integersKeepTheirOrder(@ForAll long a, @ForAll long b, @ForAll @IntRange(min = 0, max = 15) int suffix) {
        String s = SUFFIXES[suffix];
        int expected = Long.signum(Long.compare(a, b));
        int order = Integer.signum(Quantity.parse(a + s).compareTo(Quantity.parse(b + s)));
        if (s.endsWith("i")) {
            assertTrue(order == expected || order == 0, "binary values are capped at 2^63-1, so they may become equal");
        } else {
            assertEquals(expected, order, () -> a + s + " vs " + b + s);
        }
    }

    @Property(tries = 5000)
    void anyStringParsesOrIsRefusedWithItsText(@ForAll("noise") String text) {
        try {
            Quantity q = Quantity.parse(text);
            assertEquals(q, Quantity.parse(q.canonical()));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        }
    }

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789.+-eEinumkKMGTP ").ofMaxLength(12),
                Arbitraries.strings().ofMaxLength(8),
                Combinators.combine(quantities(), Arbitraries.of("", "i", ".", " ", "e", "3", "Ki")).as(String::concat));
    }
}
