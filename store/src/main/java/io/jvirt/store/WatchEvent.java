package io.jvirt.store;

/**
 * One change seen by a watch, in resourceVersion order.
 *
 * @param object the object after the change; for {@link Type#DELETED} its last state, with
 *               {@code resourceVersion} (and {@code metadata.resourceVersion}) set to the deletion's
 */
public record WatchEvent(Type type, StoredObject object) {

    /** Kinds of change, named like Kubernetes watch event types. */
    public enum Type { ADDED, MODIFIED, DELETED }

    /** The resourceVersion at which this change happened. */
    public long resourceVersion() {
        return object.resourceVersion();
    }
}
