package io.jvirt.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.function.Function;

/**
 * One requested write, decided by the committing thread against the state current at its turn in the
 * resourceVersion order. {@link #decide} either returns the change to commit, returns a no-op result, or
 * throws the caller's error (AlreadyExists, NotFound, Conflict, or whatever a mutation throws).
 */
sealed interface WriteOp {

    ObjectKey key();

    /**
     * Decides this write given {@code current} (the object under {@link #key()} now, or {@code null}) and
     * the resourceVersion it would get.
     */
    Decision decide(StoredObject current, long nextResourceVersion);

    /** The outcome of {@link #decide}: a change to commit, or a result that writes nothing. */
    sealed interface Decision {
        record Change(WatchEvent event) implements Decision {}

        record Unchanged(StoredObject current) implements Decision {}
    }

    record Create(ObjectKey key, ObjectNode tree) implements WriteOp {
        @Override
        public Decision decide(StoredObject current, long rv) {
            if (current != null) {
                throw new StoreException.AlreadyExists(key);
            }
            return change(WatchEvent.Type.ADDED, key, tree, rv);
        }
    }

    record Update(ObjectKey key, ObjectNode tree, Preconditions preconditions) implements WriteOp {
        @Override
        public Decision decide(StoredObject current, long rv) {
            check(key, current, preconditions);
            return replace(current, tree, rv);
        }
    }

    record Mutate(ObjectKey key, Function<StoredObject, byte[]> mutation) implements WriteOp {
        @Override
        public Decision decide(StoredObject current, long rv) {
            if (current == null) {
                throw new StoreException.NotFound(key);
            }
            return replace(current, ObjectJson.parse(mutation.apply(current)), rv);
        }
    }

    record Delete(ObjectKey key, Preconditions preconditions) implements WriteOp {
        @Override
        public Decision decide(StoredObject current, long rv) {
            check(key, current, preconditions);
            return change(WatchEvent.Type.DELETED, key, ObjectJson.parse(current.json()), rv);
        }
    }

    private static Decision change(WatchEvent.Type type, ObjectKey key, ObjectNode tree, long rv) {
        return new Decision.Change(new WatchEvent(type, new StoredObject(key, rv, ObjectJson.stamped(tree, rv))));
    }

    /** A no-op when {@code tree} with the current resourceVersion put back is byte-identical to the stored JSON. */
    private static Decision replace(StoredObject current, ObjectNode tree, long rv) {
        if (Arrays.equals(ObjectJson.stamped(tree, current.resourceVersion()), current.json())) {
            return new Decision.Unchanged(current);
        }
        return change(WatchEvent.Type.MODIFIED, current.key(), tree, rv);
    }

    private static void check(ObjectKey key, StoredObject current, Preconditions preconditions) {
        if (current == null) {
            throw new StoreException.NotFound(key);
        }
        if (preconditions.resourceVersion() != 0 && preconditions.resourceVersion() != current.resourceVersion()) {
            throw new StoreException.Conflict(key, current.resourceVersion(),
                    "resourceVersion of " + key + " is " + current.resourceVersion()
                            + ", not " + preconditions.resourceVersion() + ": it changed since it was read");
        }
        if (preconditions.uid() != null) {
            String uid = ObjectJson.uid(current.json());
            if (!preconditions.uid().equals(uid)) {
                throw new StoreException.Conflict(key, current.resourceVersion(),
                        "uid of " + key + " is " + uid + ", not " + preconditions.uid());
            }
        }
    }
}
