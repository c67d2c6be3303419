package io.jvirt.store;

/**
 * Every failure the store reports. The subclasses map one-to-one onto Kubernetes Status reasons
 * (AlreadyExists 409, NotFound 404, Conflict 409, Expired 410); {@link StorageFailure} is an internal
 * error (500) of the disk or database, {@link StorageFull} its case of a full disk (507 Insufficient Storage).
 */
public abstract sealed class StoreException extends RuntimeException
        permits StoreException.AlreadyExists, StoreException.NotFound, StoreException.Conflict,
                StoreException.Expired, StoreException.StorageFailure {

    private StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A create found an object under the key. */
    public static final class AlreadyExists extends StoreException {
        private final ObjectKey key;

        public AlreadyExists(ObjectKey key) {
            super("already exists: " + key, null);
            this.key = key;
        }

        public ObjectKey key() {
            return key;
        }
    }

    /** An update, delete or read found no object under the key. */
    public static final class NotFound extends StoreException {
        private final ObjectKey key;

        public NotFound(ObjectKey key) {
            super("not found: " + key, null);
            this.key = key;
        }

        public ObjectKey key() {
            return key;
        }
    }

    /** A {@link Preconditions precondition} failed: the object changed (or was replaced) since it was read. */
    public static final class Conflict extends StoreException {
        private final ObjectKey key;
        private final long currentResourceVersion;

        public Conflict(ObjectKey key, long currentResourceVersion, String message) {
            super(message, null);
            this.key = key;
            this.currentResourceVersion = currentResourceVersion;
        }

        public ObjectKey key() {
            return key;
        }

        /** The resourceVersion of the stored object that caused the conflict. */
        public long currentResourceVersion() {
            return currentResourceVersion;
        }
    }

    /**
     * A watch or continue token asked for a resourceVersion older than the compacted event log: the
     * client must list again (Kubernetes: 410 Gone, reason Expired, "too old resource version").
     */
    public static final class Expired extends StoreException {
        private final long requested;
        private final long oldestAvailable;

        public Expired(long requested, long oldestAvailable) {
            super("too old resource version: " + requested + " (" + oldestAvailable + ")", null);
            this.requested = requested;
            this.oldestAvailable = oldestAvailable;
        }

        /** The resourceVersion the caller asked to start after. */
        public long requested() {
            return requested;
        }

        /** The oldest resourceVersion a watch may still start from. */
        public long oldestAvailable() {
            return oldestAvailable;
        }
    }

    /**
     * The database or disk failed, or the store is closed. A failed write changed nothing the store shows
     * (memory, watches, resourceVersion); should its transaction have reached the disk after all, the store
     * publishes it like any other write when it recovers.
     */
    public static sealed class StorageFailure extends StoreException permits StorageFull {
        public StorageFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The disk (or SQLite's size limit) is full: SQLite's {@code SQLITE_FULL}. Writes work again once space is freed. */
    public static final class StorageFull extends StorageFailure {
        public StorageFull(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
