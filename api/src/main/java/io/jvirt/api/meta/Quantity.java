package io.jvirt.api.meta;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes resource quantity ({@code resource.Quantity}) such as {@code 64Mi}, {@code 1G},
 * {@code 500m}, {@code 1e3} or {@code 1Ei}. Grammar, as Kubernetes documents it:
 * <pre>
 * quantity        ::= signedNumber suffix
 * signedNumber    ::= number | sign number          sign ::= "+" | "-"
 * number          ::= digits | digits "." digits | digits "." | "." digits
 * suffix          ::= binarySI | decimalExponent | decimalSI
 * binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
 * decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
 * decimalExponent ::= ("e" | "E") [sign] digits     (an integer exponent that fits in 32 bits)
 * </pre>
 * {@code 1E} is 10¹⁸ (the suffix), {@code 1E3} is 10³ (an exponent), {@code 1Ei} is 2⁶⁰. No
 * whitespace anywhere (the JSON form is trimmed first, as Kubernetes does). Kubernetes' own parser
 * also takes a bare suffix, sign or point ({@code Mi}, {@code +}, {@code .}) as zero; its grammar and
 * the KubeVirt CRDs' schema pattern do not, and neither does this class.
 *
 * <p>The value is kept exactly as Kubernetes keeps it: no upper bound for decimal quantities
 * ({@code 1e100} is fine), binary-SI quantities capped at 2⁶³−1 ({@code 16Ei} reads as
 * 9223372036854775807, as in Kubernetes), and precision down to 10⁻⁹: a finer non-zero value is rounded
 * away from zero ({@code 0.1n} is {@code 1n}). Whether a value fits what a caller needs is the caller's
 * question: {@link #toLongCeiling()} and {@link #toMebibytesCeiling()} throw an
 * {@link ArithmeticException} naming the quantity when it does not fit in a long.
 *
 * <p>The text is kept as given and written back unchanged ({@link #toString()}, JSON), so a
 * read→write round trip is exact; {@link #canonical()} is the form Kubernetes would write.
 * {@link #equals} and {@link #compareTo} compare the numeric value ({@code 1Gi} equals {@code 1024Mi}).
 * Immutable and thread-safe.
 */
public final class Quantity implements Comparable<Quantity> {
    /** How a quantity was written; {@link #canonical()} writes it back the same way. */
    public enum Format {
        /** A decimal SI suffix or none: {@code 12M}, {@code 500m}, {@code 3}. */
        DECIMAL_SI,
        /** A binary SI suffix: {@code 12Mi}. */
        BINARY_SI,
        /** A decimal exponent: {@code 12e6}. */
        DECIMAL_EXPONENT
    }

    /** The largest binary-SI value: Kubernetes caps those at 2⁶³−1. */
    public static final BigDecimal BINARY_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal MEBI = BigDecimal.valueOf(1L << 20);
    private static final BigDecimal NANO = BigDecimal.ONE.scaleByPowerOfTen(-9);
    private static final BigInteger KI = BigInteger.valueOf(1024);
    private static final int FINEST_SCALE = 9;
    private static final Map<String, Integer> DECIMAL_SUFFIXES = Map.of(
            "n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
    private static final Map<String, Integer> BINARY_SUFFIXES = Map.of(
            "Ki", 10, "Mi", 20, "Gi", 30, "Ti", 40, "Pi", 50, "Ei", 60);
    private static final String[] BINARY_BY_POWER = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final String[] DECIMAL_BY_POWER = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    private static final String HELP = "a quantity is a number with an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E,"
            + " or an exponent such as e3 (e.g. 64Mi, 1.5G, 500m, 1e9)";

    private final String text;
    private final BigDecimal value;
    private final Format format;

    private Quantity(String text, BigDecimal value, Format format) {
        this.text = text;
        this.value = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        this.format = format;
    }

    /**
     * Parses {@code text} exactly (no surrounding whitespace).
     *
     * @throws IllegalArgumentException if it is not a quantity; the message quotes the text and says why
     */
    public static Quantity parse(String text) {
        Objects.requireNonNull(text, "quantity");
        int n = text.length();
        int i = 0;
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int intStart = i;
        while (i < n && isDigit(text.charAt(i))) i++;
        String intDigits = text.substring(intStart, i);
        String fraction = "";
        if (i < n && text.charAt(i) == '.') {
            int fractionStart = ++i;
            while (i < n && isDigit(text.charAt(i))) i++;
            fraction = text.substring(fractionStart, i);
        }
        if (intDigits.isEmpty() && fraction.isEmpty()) {
            throw invalid(text, text.isEmpty() ? "it is empty" : "it has no digits before its suffix");
        }
        String suffix = text.substring(i);
        BigInteger digits = new BigInteger(intDigits + fraction);
        if (negative) digits = digits.negate();
        long scale = fraction.length();
        Integer binary = BINARY_SUFFIXES.get(suffix);
        if (binary != null) {
            BigDecimal value = rounded(digits.shiftLeft(binary), scale, text);
            if (value.abs().compareTo(BINARY_MAX) > 0) value = negative ? BINARY_MAX.negate() : BINARY_MAX;
            boolean fractionOfOne = value.signum() != 0 && value.abs().compareTo(BigDecimal.ONE) < 0;
            return new Quantity(text, value, fractionOfOne ? Format.DECIMAL_SI : Format.BINARY_SI);
        }
        Integer decimal = DECIMAL_SUFFIXES.get(suffix);
        if (decimal != null) {
            return new Quantity(text, rounded(digits, scale - decimal, text), Format.DECIMAL_SI);
        }
        return new Quantity(text, rounded(digits, scale - exponent(text, suffix), text), Format.DECIMAL_EXPONENT);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The exponent of a suffix {@code e<int>} / {@code E<int>}. */
    private static long exponent(String text, String suffix) {
        boolean shaped = suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E');
        int start = 1;
        if (shaped && (suffix.charAt(1) == '+' || suffix.charAt(1) == '-')) start = 2;
        shaped = shaped && start < suffix.length();
        for (int i = start; shaped && i < suffix.length(); i++) shaped = isDigit(suffix.charAt(i));
        if (!shaped) {
            throw invalid(text, "'" + suffix + "' is not a suffix (Ki Mi Gi Ti Pi Ei, n u m k M G T P E) nor an exponent (e3, E-2)");
        }
        try {
            return Integer.parseInt(suffix.substring(1));
        } catch (NumberFormatException e) {
            throw invalid(text, "the exponent " + suffix.substring(1) + " is out of range");
        }
    }

    /**
     * {@code unscaled × 10^-scale}, rounded away from zero to a multiple of 10⁻⁹, normalised. Tiny values
     * never build a huge divisor: anything below 10⁻⁹ is 1n directly.
     */
    private static BigDecimal rounded(BigInteger unscaled, long scale, String text) {
        if (unscaled.signum() == 0) return BigDecimal.ZERO;
        BigDecimal stripped = new BigDecimal(unscaled).stripTrailingZeros(); // scale <= 0: trailing zeros moved out
        long s = scale + stripped.scale();
        BigInteger u = stripped.unscaledValue();
        if (s > FINEST_SCALE) {
            int precision = stripped.precision();
            if (precision - s <= -FINEST_SCALE) return u.signum() > 0 ? NANO : NANO.negate();
            return new BigDecimal(u, (int) s).setScale(FINEST_SCALE, RoundingMode.UP);
        }
        if (s < Integer.MIN_VALUE) throw invalid(text, "its magnitude is out of range (beyond 10^2147483648)");
        return new BigDecimal(u, (int) s);
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("quantity '" + text + "' is not valid: " + why + "; " + HELP);
    }

    /**
     * The JSON form: a string such as {@code "64Mi"} (trimmed, as Kubernetes does) or a bare number such
     * as {@code 2} (written back as given).
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Quantity fromJson(Object value) {
        if (value instanceof String text) {
            return parse(text.strip());
        }
        if (value instanceof BigDecimal number) {
            return parse(number.toString());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) throw invalid(String.valueOf(value), "it is not a finite number");
            return parse(BigDecimal.valueOf(d).toString());
        }
        if (value instanceof Number number) {
            return parse(number.toString());
        }
        throw invalid(String.valueOf(value), "a quantity is a string or a number");
    }

    /** A quantity of exactly {@code bytes}, written as a plain integer. */
    public static Quantity ofBytes(long bytes) {
        return new Quantity(Long.toString(bytes), BigDecimal.valueOf(bytes), Format.DECIMAL_SI);
    }

    /**
     * The exact numeric value (for memory: bytes; for cpu: cores). It may be very large (a decimal
     * quantity is not bounded: {@code 1e1000000}); use {@link #compareTo} or the long accessors rather
     * than converting it to an integer.
     */
    public BigDecimal value() {
        return value;
    }

    /** How the quantity was written (a binary-SI value below one counts as decimal SI, as in Kubernetes). */
    public Format format() {
        return format;
    }

    /** -1, 0 or 1 as the value is negative, zero or positive. */
    public int signum() {
        return value.signum();
    }

    /**
     * The value as whole units, fractions rounded up (Kubernetes rounds memory up to a byte).
     *
     * @throws ArithmeticException if it does not fit in a long; the message names the quantity
     */
    public long toLongCeiling() {
        if (value.compareTo(BINARY_MAX) > 0 || value.compareTo(LONG_MIN) < 0) throw tooLarge("9223372036854775807");
        return value.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * The value in MiB, rounded up; e.g. {@code 1G} is 954 MiB.
     *
     * @throws ArithmeticException if the value in bytes does not fit in a long; the message names the quantity
     */
    public long toMebibytesCeiling() {
        if (value.compareTo(BINARY_MAX) > 0 || value.compareTo(LONG_MIN) < 0) throw tooLarge("9223372036854775807 bytes");
        return value.divide(MEBI, 0, RoundingMode.CEILING).longValueExact();
    }

    private ArithmeticException tooLarge(String limit) {
        return new ArithmeticException("quantity " + text + " is too large: at most " + limit + " is supported");
    }

    /**
     * The form Kubernetes writes ({@code resource.Quantity.String()}): the same kind of suffix as given,
     * the largest suffix (or exponent, a multiple of 3) that keeps the mantissa an integer, no {@code +}:
     * {@code 1.5} → {@code 1500m}, {@code 1.5Gi} → {@code 1536Mi}, {@code 1000M} → {@code 1G},
     * {@code 1e100} → {@code 10e99}; a binary value below 1024 or with a fraction goes decimal
     * ({@code 0.5Ki} → {@code 512}); a decimal value beyond {@code E} takes an exponent ({@code 1000E} →
     * {@code 1e21}). {@code parse(canonical())} equals this quantity.
     */
    public String canonical() {
        if (value.signum() == 0) return "0";
        boolean binary = format == Format.BINARY_SI && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0 && value.scale() <= 0;
        if (binary) {
            BigInteger mantissa = value.toBigIntegerExact();
            int power = 0;
            while (power < BINARY_BY_POWER.length - 1 && mantissa.mod(KI).signum() == 0) {
                mantissa = mantissa.divide(KI);
                power++;
            }
            return mantissa + BINARY_BY_POWER[power];
        }
        BigInteger mantissa = value.unscaledValue();
        long exponent = -(long) value.scale();
        while (exponent % 3 != 0) {
            mantissa = mantissa.multiply(BigInteger.TEN);
            exponent--;
        }
        if (format != Format.DECIMAL_EXPONENT && exponent >= -9 && exponent <= 18) {
            return mantissa + DECIMAL_BY_POWER[(int) (exponent + 9) / 3];
        }
        return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
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
        return value.hashCode(); // normalised in the constructor: equal values have equal representations
    }
}
