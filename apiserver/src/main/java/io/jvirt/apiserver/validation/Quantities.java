package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.meta.Quantity;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Reads a resource quantity from JSON (a string such as {@code 64Mi}, {@code 1Ei}, {@code 500m}, {@code 1e3}, or a
 * bare number) with {@link Quantity}'s grammar (apimachinery's), so admission and the controllers agree on what a
 * quantity is. Only what admission needs: whether it parses, and its exact value for sign and comparisons. Pure.
 */
public final class Quantities {
    /** kube-apiserver's decode error for a quantity that does not parse. */
    public static final String DECODE_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private Quantities() {}

    /** The value, or empty when {@code node} is not a quantity (wrong JSON type or syntax). */
    public static Optional<BigDecimal> value(JsonNode node) {
        if (node == null) return Optional.empty();
        if (node.isNumber()) return Optional.of(node.decimalValue());
        if (!node.isTextual()) return Optional.empty();
        try {
            return Optional.of(Quantity.parse(node.asText()).value());
        } catch (IllegalArgumentException notAQuantity) {
            return Optional.empty();
        }
    }

    /** The text as given, for messages. */
    public static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.toString();
    }
}
