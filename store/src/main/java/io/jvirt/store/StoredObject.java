package io.jvirt.store;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One object as the store holds it.
 *
 * @param key             where it is stored
 * @param resourceVersion the global resourceVersion of the write that produced this state (for a
 *                        deleted object in a {@link WatchEvent.Type#DELETED} event: the deletion's)
 * @param json            the object's JSON; its {@code metadata.resourceVersion} always equals
 *                        {@code resourceVersion} as a decimal string. Callers must not modify the array.
 */
public record StoredObject(ObjectKey key, long resourceVersion, byte[] json) {

    public StoredObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(json, "json");
    }

    /** The JSON as a UTF-8 string (for logs and tests). */
    public String jsonString() {
        return new String(json, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredObject other
                && key.equals(other.key)
                && resourceVersion == other.resourceVersion
                && java.util.Arrays.equals(json, other.json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, resourceVersion, java.util.Arrays.hashCode(json));
    }

    @Override
    public String toString() {
        return "StoredObject[" + key + " rv=" + resourceVersion + " " + jsonString() + "]";
    }
}
