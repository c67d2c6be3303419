package io.jvirt.api.meta;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity such as {@code 64Mi}, {@code 1G}, {@code 128M}, {@code 500m} or
 * {@code 1e3}: a decimal number with an optional binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), decimal
 * suffix (n, u, m, k, M, G, T, P, E) or decimal exponent ({@code e3}, {@code E-2}).
 *
 * <p>The original text is kept and written back unchanged, so a read→write round trip is exact;
 * {@link #equals} compares the numeric value ({@code 1Gi} equals {@code 1024Mi}). Immutable.
 */
public final class Quantity implements Comparable<Quantity> {
    private static final Pattern SYNTAX =
            Pattern.compile("([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))((?:[KMGTPE]i)|[numkMGTPE]|[eE][+-]?\\d+)?");
    private static final BigDecimal KI = BigDecimal.valueOf(1024);
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("Ki", KI), Map.entry("Mi", KI.pow(2)), Map.entry("Gi", KI.pow(3)),
            Map.entry("Ti", KI.pow(4)), Map.entry("Pi", KI.pow(5)), Map.entry("Ei", KI.pow(6)),
            Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")),
            Map.entry("m", new BigDecimal("1e-3")), Map.entry("k", new BigDecimal("1e3")),
            Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
            Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")),
            Map.entry("E", new BigDecimal("1e18")));

    private final String text;
    private final BigDecimal value;

    private Quantity(String text, BigDecimal value) {
        this.text = text;
        this.value = value;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException if it is not a quantity, with the offending text in the message
     */
    public static Quantity parse(String text) {
        Objects.requireNonNull(text, "quantity");
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a quantity: '" + text
                    + "' (expected a number with an optional suffix such as Ki, Mi, Gi, k, M, G, m or an exponent e3)");
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2);
        if (suffix == null) {
            return new Quantity(text, number);
        }
        if (suffix.startsWith("e") || suffix.startsWith("E")) {
            return new Quantity(text, number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1))));
        }
        return new Quantity(text, number.multiply(SUFFIXES.get(suffix)));
    }

    /**
     * The JSON form: a string such as {@code "64Mi"} or a bare number such as {@code 2} (written back
     * as a string, as Kubernetes does).
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Quantity fromJson(Object value) {
        if (value instanceof String text) {
            return parse(text);
        }
        if (value instanceof Number number) {
            return parse(number instanceof Double || number instanceof Float
                    ? BigDecimal.valueOf(number.doubleValue()).toPlainString() : number.toString());
        }
        throw new IllegalArgumentException("not a quantity: " + value);
    }

    /** A quantity of exactly {@code bytes}, written as a plain integer. */
    public static Quantity ofBytes(long bytes) {
        return new Quantity(Long.toString(bytes), BigDecimal.valueOf(bytes));
    }

    /** The exact numeric value (for memory: bytes; for cpu: cores). */
    public BigDecimal value() {
        return value;
    }

    /**
     * The value as whole units, fractions rounded up (Kubernetes rounds memory up to a byte).
     *
     * @throws ArithmeticException if it does not fit in a long
     */
    public long toLongCeiling() {
        return value.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** The value in MiB, rounded up; e.g. {@code 1G} is 954 MiB. */
    public long toMebibytesCeiling() {
        return value.divide(SUFFIXES.get("Mi"), 0, RoundingMode.CEILING).longValueExact();
    }

    /** The text as given, e.g. {@code "64Mi"}. */
    @JsonValue
    @Override
    public String toString() {
        return text;
    }

    @Override
    public int compareTo(Quantity other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.stripTrailingZeros().hashCode();
    }
}
