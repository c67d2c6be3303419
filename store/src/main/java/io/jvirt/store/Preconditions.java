package io.jvirt.store;

/**
 * Conditions an update or delete checks atomically against the stored object before writing.
 *
 * @param resourceVersion required current resourceVersion, or {@code 0} for "any"
 * @param uid             required {@code metadata.uid}, or {@code null} for "any"
 */
public record Preconditions(long resourceVersion, String uid) {

    /** No conditions: the write applies to whatever is stored. */
    public static final Preconditions NONE = new Preconditions(0, null);

    public Preconditions {
        if (resourceVersion < 0) {
            throw new IllegalArgumentException("resourceVersion must be >= 0: " + resourceVersion);
        }
    }

    /** Compare-and-set on the resourceVersion only. */
    public static Preconditions resourceVersion(long resourceVersion) {
        return new Preconditions(resourceVersion, null);
    }

    /** Only the object with this uid (guards against a deleted-and-recreated namesake). */
    public static Preconditions uid(String uid) {
        return new Preconditions(0, uid);
    }
}
