package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a resource quantity from JSON (a string such as {@code 64Mi}, {@code 1Ei}, {@code 500m}, {@code 1e3}, or a
 * bare number) by apimachinery's grammar: a signed decimal number, then a binary suffix (Ki … Ei), a decimal one
 * (n u m k M G T P E) or an integer exponent. Only what admission needs: whether it parses, and its exact value for
 * sign and comparisons. Pure.
 */
public final class Quantities {
    /** kube-apiserver's decode error for a quantity that does not parse. */
    public static final String DECODE_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    private static final Pattern GRAMMAR = Pattern.compile("([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?[0-9]{1,9}))?");
    private static final BigDecimal KI = BigDecimal.valueOf(1024);
    private static final Map<String, BigDecimal> BINARY = Map.of("Ki", KI, "Mi", KI.pow(2), "Gi", KI.pow(3), "Ti", KI.pow(4),
            "Pi", KI.pow(5), "Ei", KI.pow(6));
    private static final Map<String, Integer> DECIMAL = Map.of("n", -9, "u", -6, "m", -3, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);

    private Quantities() {}

    /** The value, or empty when {@code node} is not a quantity (wrong JSON type or syntax). */
    public static Optional<BigDecimal> value(JsonNode node) {
        if (node == null) return Optional.empty();
        if (node.isNumber()) return Optional.of(node.decimalValue());
        if (!node.isTextual()) return Optional.empty();
        Matcher m = GRAMMAR.matcher(node.asText());
        if (!m.matches()) return Optional.empty();
        BigDecimal number = new BigDecimal(m.group(1));
        if (m.group(2) != null) return Optional.of(number.multiply(BINARY.get(m.group(2))));
        if (m.group(3) != null) return Optional.of(number.scaleByPowerOfTen(DECIMAL.get(m.group(3))));
        if (m.group(4) != null) return Optional.of(number.scaleByPowerOfTen(Integer.parseInt(m.group(4))));
        return Optional.of(number);
    }

    /** The text as given, for messages. */
    public static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.toString();
    }
}
