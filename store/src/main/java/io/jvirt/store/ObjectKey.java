package io.jvirt.store;

import java.util.Objects;

/**
 * Identity of one stored object: API group, plural resource, namespace and name.
 *
 * <p>The core group is {@code ""}; cluster-scoped objects have namespace {@code ""}. No component may
 * contain {@code '/'} and {@code resource} and {@code name} must be non-empty; the constructor enforces
 * this. The textual form {@link #path()} ({@code group/resource/namespace/name}) is the primary key in
 * the database, so objects list in namespace-then-name order within a resource, like etcd keys.
 */
public record ObjectKey(String group, String resource, String namespace, String name) {

    public ObjectKey {
        group = checkComponent("group", group, true);
        resource = checkComponent("resource", resource, false);
        namespace = checkComponent("namespace", namespace, true);
        name = checkComponent("name", name, false);
    }

    /** A key of a cluster-scoped object (namespace {@code ""}). */
    public static ObjectKey cluster(String group, String resource, String name) {
        return new ObjectKey(group, resource, "", name);
    }

    /** {@code group/resource/namespace/name}; the inverse of {@link #parse(String)}. */
    public String path() {
        return group + '/' + resource + '/' + namespace + '/' + name;
    }

    /** Parses {@link #path()}; throws {@link IllegalArgumentException} on anything else. */
    public static ObjectKey parse(String path) {
        String[] parts = path.split("/", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an object key path: " + path);
        }
        return new ObjectKey(parts[0], parts[1], parts[2], parts[3]);
    }

    static String checkComponent(String what, String value, boolean mayBeEmpty) {
        Objects.requireNonNull(value, what);
        if (value.indexOf('/') >= 0) {
            throw new IllegalArgumentException(what + " must not contain '/': " + value);
        }
        if (!mayBeEmpty && value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return value;
    }

    @Override
    public String toString() {
        return path();
    }
}
