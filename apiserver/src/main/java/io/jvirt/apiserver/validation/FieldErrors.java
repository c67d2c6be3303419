package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import java.util.stream.Collectors;

/**
 * apimachinery's {@code field} error constructors: a cause with kube-apiserver's reason and message shape
 * ({@code Required value}, {@code Invalid value: "x": ...}, {@code Unsupported value: ...}, {@code Duplicate value: ...},
 * {@code Not found: ...}, {@code Forbidden: ...}, {@code Too long: ...}). Pure.
 */
public final class FieldErrors {
    private FieldErrors() {}

    public static Cause required(String field) {
        return new Cause("FieldValueRequired", "Required value", field);
    }

    public static Cause required(String field, String detail) {
        return new Cause("FieldValueRequired", "Required value: " + detail, field);
    }

    /** {@code Invalid value: <value as Go prints it>: <detail>}. */
    public static Cause invalid(String field, JsonNode value, String detail) {
        return Cause.invalid(field, "Invalid value: " + show(value) + ": " + detail);
    }

    public static Cause invalid(String field, String value, String detail) {
        return Cause.invalid(field, "Invalid value: " + Names.quote(value) + ": " + detail);
    }

    public static Cause invalid(String field, long value, String detail) {
        return Cause.invalid(field, "Invalid value: " + value + ": " + detail);
    }

    public static Cause notSupported(String field, JsonNode value, List<String> supported) {
        return new Cause("FieldValueNotSupported", "Unsupported value: " + show(value) + ": supported values: "
                + supported.stream().map(Names::quote).collect(Collectors.joining(", ")), field);
    }

    public static Cause duplicate(String field, String value) {
        return new Cause("FieldValueDuplicate", "Duplicate value: " + Names.quote(value), field);
    }

    public static Cause notFound(String field, String value) {
        return new Cause("FieldValueNotFound", "Not found: " + Names.quote(value), field);
    }

    public static Cause forbidden(String field, String detail) {
        return new Cause("FieldValueForbidden", "Forbidden: " + detail, field);
    }

    public static Cause tooLong(String field, long maxBytes) {
        return new Cause("FieldValueTooLong", "Too long: may not be more than " + maxBytes + " bytes", field);
    }

    /** A JSON value as Go's field errors print it: strings quoted, numbers and booleans bare. */
    static String show(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return "null";
        return value.isTextual() ? Names.quote(value.asText()) : value.toString();
    }
}
