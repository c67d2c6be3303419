package io.jvirt.apiserver.table;

import io.jvirt.apiserver.http.ApiException;

/**
 * What each Table row carries in {@code object}, from the {@code includeObject} query parameter as
 * kube-apiserver reads it: {@code None} (no object), {@code Metadata} (the default: a
 * PartialObjectMetadata) or {@code Object} (the full object, which {@code kubectl --sort-by} needs).
 */
public enum IncludeObject {
    NONE, METADATA, OBJECT;

    /** Parses the parameter (null or empty: Metadata); any other value is a 400 naming the allowed ones. */
    public static IncludeObject parse(String value) {
        if (value == null || value.isEmpty()) return METADATA;
        return switch (value) {
            case "None" -> NONE;
            case "Metadata" -> METADATA;
            case "Object" -> OBJECT;
            default -> throw ApiException.badRequest("includeObject: Unsupported value: \"" + value
                    + "\": supported values: \"Metadata\", \"None\", \"Object\"");
        };
    }
}
