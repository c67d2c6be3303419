package io.jvirt.store;

import java.util.Optional;
import java.util.function.Function;

/**
 * The API server's durable key-value store of Kubernetes objects with a global resourceVersion and watch.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Objects are JSON documents</b> (a JSON object at the top). The store looks only at
 *       {@code metadata.uid} (for {@link Preconditions#uid()}) and <b>writes
 *       {@code metadata.resourceVersion}</b> itself (decimal string), creating {@code metadata} if absent;
 *       every other byte is the caller's business (defaults, uid, timestamps, validation: the API server).
 *       Every returned {@link StoredObject} therefore carries its own resourceVersion in its JSON.</li>
 *   <li><b>One global resourceVersion</b> across all keys: each successful write gets the next integer
 *       (1, 2, 3, ...; always below 2^31). It survives restarts: a reopened store continues after the last
 *       acknowledged write.</li>
 *   <li><b>Durability</b>: a write method returns only after its transaction is fsync'ed (SQLite WAL,
 *       {@code synchronous=FULL}). If it throws {@link StoreException.StorageFailure} the write may or may
 *       not have happened; no other exception leaves a trace.</li>
 *   <li><b>Failures pass</b>: a write that failed on the disk ({@link StoreException.StorageFull} when it is
 *       full) is not visible in reads, watches or the resourceVersion; once the cause is gone the next write
 *       succeeds, without a restart.</li>
 *   <li><b>No-op updates</b>: an update whose JSON (with the resourceVersion put back) is byte-identical
 *       to the stored one writes nothing and returns the stored object with its old resourceVersion.</li>
 *   <li><b>Thread safety</b>: every method may be called from any thread. Writes are linearizable (one
 *       total order, the resourceVersion order); reads never block on the disk and see every write
 *       acknowledged before they started.</li>
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Stores a new object.
     *
     * @return the stored object, with its new resourceVersion
     * @throws StoreException.AlreadyExists if {@code key} holds an object
     * @throws IllegalArgumentException if {@code json} is not a JSON object
     */
    StoredObject create(ObjectKey key, byte[] json);

    /** The object under {@code key}, if any. */
    Optional<StoredObject> get(ObjectKey key);

    /**
     * Objects under {@code prefix} in key order, a page at a time.
     *
     * @throws StoreException.Expired if the continue token's list resourceVersion has been compacted
     * @throws IllegalArgumentException if the continue token is malformed or belongs to another prefix
     */
    ListResult list(KeyPrefix prefix, ListOptions options);

    /**
     * Replaces the object under {@code key} if {@code preconditions} hold.
     *
     * @return the stored object, with its new resourceVersion (or the old one for a no-op)
     * @throws StoreException.NotFound if there is no object
     * @throws StoreException.Conflict if a precondition fails
     */
    StoredObject update(ObjectKey key, byte[] json, Preconditions preconditions);

    /**
     * Atomic read-modify-write: calls {@code mutation} with the current object and stores what it returns,
     * with no other write in between (so no conflict is possible). Writes to the whole store wait while
     * {@code mutation} runs: keep it short and do not call the store from it. If it throws, nothing is
     * written and the exception propagates.
     *
     * @return the stored object (see {@link #update(ObjectKey, byte[], Preconditions)})
     * @throws StoreException.NotFound if there is no object
     */
    StoredObject update(ObjectKey key, Function<StoredObject, byte[]> mutation);

    /**
     * Removes the object under {@code key} if {@code preconditions} hold.
     *
     * @return its last state, with the deletion's resourceVersion
     * @throws StoreException.NotFound if there is no object
     * @throws StoreException.Conflict if a precondition fails
     */
    StoredObject delete(ObjectKey key, Preconditions preconditions);

    /**
     * Watches changes under {@code prefix} after {@code fromResourceVersion}.
     *
     * <p>{@code fromResourceVersion > 0}: every change with a greater resourceVersion is delivered, first
     * the ones already in the event log (replay), then live ones as they are acknowledged.
     * {@code fromResourceVersion == 0}: the current objects as {@link WatchEvent.Type#ADDED} events (with
     * their own resourceVersions, in key order), then live changes. Live events are fanned out from
     * memory; the database is never polled. Delivery happens on a thread of the store (see
     * {@link WatchListener}); delivery may start before this method returns. A
     * {@code fromResourceVersion} above {@link #currentResourceVersion()} is accepted: the watch delivers
     * the changes after it once they happen.
     *
     * @throws StoreException.Expired if {@code fromResourceVersion} is older than the compacted log
     *         ({@code 0 < fromResourceVersion < }{@link #oldestWatchableResourceVersion()}); the client
     *         must list again and watch from the list's resourceVersion
     * @throws IllegalArgumentException if {@code fromResourceVersion} is negative
     */
    Watch watch(KeyPrefix prefix, long fromResourceVersion, WatchListener listener);

    /** The resourceVersion of the last acknowledged write (0 for an empty, new store). */
    long currentResourceVersion();

    /** The smallest {@code fromResourceVersion > 0} that {@link #watch} still accepts. */
    long oldestWatchableResourceVersion();

    /**
     * Drops the oldest events so that at most {@link StoreConfig#eventLogRetention()} remain. Runs by itself
     * in the background; exposed for tests and operators. Idempotent.
     */
    void compact();

    /** Ends every watch ({@link WatchEnd.StoreClosed}) and closes the database. Idempotent. */
    @Override
    void close();
}
