package io.jvirt.apiserver.http;

/** One entry of a Status' {@code details.causes}: a field path, a reason such as FieldValueInvalid, a message. */
public record Cause(String reason, String message, String field) {
    public static Cause invalid(String field, String message) {
        return new Cause("FieldValueInvalid", message, field);
    }

    public static Cause required(String field) {
        return new Cause("FieldValueRequired", "Required value", field);
    }
}
