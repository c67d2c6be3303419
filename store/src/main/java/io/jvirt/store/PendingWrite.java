package io.jvirt.store;

/**
 * A {@link WriteOp} waiting for a group commit, and its outcome. Completed exactly once by the committing
 * thread while it holds the store's write lock; read by the requesting thread after it acquired that lock
 * itself (the lock orders the accesses, so plain fields suffice).
 */
final class PendingWrite {

    final WriteOp op;
    private boolean done;
    private StoredObject result;
    private RuntimeException failure;

    PendingWrite(WriteOp op) {
        this.op = op;
    }

    boolean done() {
        return done;
    }

    void succeed(StoredObject stored) {
        if (!done) {
            done = true;
            result = stored;
        }
    }

    void fail(RuntimeException error) {
        if (!done) {
            done = true;
            failure = error;
        }
    }

    /** The stored object, or the write's error rethrown in the caller's thread. */
    StoredObject outcome() {
        if (!done) {
            throw new IllegalStateException("write not committed");
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }
}
