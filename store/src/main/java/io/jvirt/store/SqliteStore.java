package io.jvirt.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * {@link ObjectStore} on a SQLite file, with every object and the retained event log mirrored in memory.
 *
 * <p>Writes are group-committed under one write lock: each queued write is decided against memory in
 * arrival order, all of them are committed to SQLite in one transaction (one fsync), then applied to memory
 * and fanned out to watches under the state lock, and only then acknowledged. Reads take only the state
 * lock's read side, so they never wait for a disk write. A background thread compacts the event log every
 * {@link StoreConfig#compactionInterval()}. Thread-safe.
 *
 * <p>A failed commit (disk full, I/O error) fails the writes of its batch with {@link
 * StoreException.StorageFailure} ({@link StoreException.StorageFull} for a full disk) and changes nothing in
 * memory: no object, no event, no resourceVersion. The connection is then not trusted any more; the next
 * write or compaction opens the file again first (failing the same way while the cause lasts) and publishes
 * any change of the failed transaction that reached the disk after all, so memory and disk agree again
 * without a restart.
 */
public final class SqliteStore implements ObjectStore {

    private static final System.Logger LOG = System.getLogger(SqliteStore.class.getName());
    /** resourceVersions stay below 2^31 so that clients parsing them as int32 never overflow. */
    static final long MAX_RESOURCE_VERSION = Integer.MAX_VALUE;
    /** Most writes committed in one transaction. */
    static final int MAX_BATCH = 512;

    private final StoreConfig config;
    private final ScheduledExecutorService compactor;

    /** The open database; replaced by {@link #recover()} (guarded by the write lock). */
    private SqliteFile file;
    /** The last commit or compaction failure until {@link #recover()} succeeded; null when healthy (guarded by the write lock). */
    private StoreException.StorageFailure failed;

    /** Serializes writers and compaction; held across the database commit. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guards the memory state below; the write side is held only briefly, never across disk I/O. */
    private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final NavigableMap<String, StoredObject> objects = new TreeMap<>();
    private final ArrayDeque<WatchEvent> eventLog = new ArrayDeque<>();
    private long currentResourceVersion;
    private long compactedResourceVersion;
    private boolean closed;
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    /** Write transactions committed since open (written under the write lock; for tests). */
    private volatile long transactions;
    /** Writes waiting for the next group commit. */
    private final ConcurrentLinkedQueue<PendingWrite> queue = new ConcurrentLinkedQueue<>();

    private SqliteStore(StoreConfig config, SqliteFile file) {
        this.config = config;
        this.file = file;
        file.loadObjects(o -> objects.put(o.key().path(), o));
        file.loadEvents(eventLog::addLast);
        compactedResourceVersion = file.compactedResourceVersion();
        currentResourceVersion = Math.max(compactedResourceVersion,
                eventLog.isEmpty() ? 0 : eventLog.peekLast().resourceVersion());
        for (StoredObject o : objects.values()) {
            currentResourceVersion = Math.max(currentResourceVersion, o.resourceVersion());
        }
        if (config.compactionInterval().isZero()) {
            compactor = null;
        } else {
            compactor = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("store-compactor").factory());
            long millis = config.compactionInterval().toMillis();
            compactor.scheduleWithFixedDelay(this::compactQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens the store at {@link StoreConfig#database()}, creating it if missing, and loads it into memory.
     *
     * @throws StoreException.StorageFailure if the file cannot be opened or is not a store
     */
    public static SqliteStore open(StoreConfig config) {
        SqliteFile file = SqliteFile.open(config.database());
        try {
            return new SqliteStore(config, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public StoredObject create(ObjectKey key, byte[] json) {
        Objects.requireNonNull(key, "key");
        return write(new WriteOp.Create(key, ObjectJson.parse(json)));
    }

    @Override
    public Optional<StoredObject> get(ObjectKey key) {
        stateLock.readLock().lock();
        try {
            ensureOpen();
            return Optional.ofNullable(objects.get(key.path()));
        } finally {
            stateLock.readLock().unlock();
        }
    }

    @Override
    public ListResult list(KeyPrefix prefix, ListOptions options) {
        stateLock.readLock().lock();
        try {
            ensureOpen();
            long listRv = currentResourceVersion;
            NavigableMap<String, StoredObject> range = objects.tailMap(prefix.path(), true);
            if (options.continueToken() != null) {
                ContinueToken token = ContinueToken.decode(options.continueToken(), prefix);
                if (token.resourceVersion() < compactedResourceVersion) {
                    throw new StoreException.Expired(token.resourceVersion(), oldestWatchable());
                }
                listRv = token.resourceVersion();
                range = objects.tailMap(token.lastKeyPath(), false);
            }
            List<StoredObject> items = new ArrayList<>();
            String lastKey = null;
            for (Map.Entry<String, StoredObject> entry : range.entrySet()) {
                if (!entry.getKey().startsWith(prefix.path())) {
                    break;
                }
                if (options.limit() > 0 && items.size() == options.limit()) {
                    return new ListResult(items, listRv, new ContinueToken(listRv, lastKey).encode());
                }
                if (options.filter().test(entry.getValue())) {
                    items.add(entry.getValue());
                }
                lastKey = entry.getKey();
            }
            return new ListResult(items, listRv, null);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    @Override
    public StoredObject update(ObjectKey key, byte[] json, Preconditions preconditions) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(preconditions, "preconditions");
        return write(new WriteOp.Update(key, ObjectJson.parse(json), preconditions));
    }

    @Override
    public StoredObject update(ObjectKey key, Function<StoredObject, byte[]> mutation) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mutation, "mutation");
        return write(new WriteOp.Mutate(key, mutation));
    }

    @Override
    public StoredObject delete(ObjectKey key, Preconditions preconditions) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(preconditions, "preconditions");
        return write(new WriteOp.Delete(key, preconditions));
    }

    @Override
    public Watch watch(KeyPrefix prefix, long fromResourceVersion, WatchListener listener) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        if (fromResourceVersion < 0) {
            throw new IllegalArgumentException("resourceVersion must not be negative: " + fromResourceVersion);
        }
        Watcher watcher;
        stateLock.readLock().lock();
        try {
            ensureOpen();
            if (fromResourceVersion > 0 && fromResourceVersion < compactedResourceVersion) {
                throw new StoreException.Expired(fromResourceVersion, oldestWatchable());
            }
            boolean initialState = fromResourceVersion == 0;
            List<WatchEvent> backlog = initialState ? currentState(prefix) : replay(prefix, fromResourceVersion);
            watcher = new Watcher(prefix, listener, config.watchQueueLimit(), fromResourceVersion,
                    currentResourceVersion, backlog, initialState, watchers::remove);
            watchers.add(watcher);
        } finally {
            stateLock.readLock().unlock();
        }
        watcher.start();
        return watcher;
    }

    @Override
    public long currentResourceVersion() {
        stateLock.readLock().lock();
        try {
            return currentResourceVersion;
        } finally {
            stateLock.readLock().unlock();
        }
    }

    @Override
    public long oldestWatchableResourceVersion() {
        stateLock.readLock().lock();
        try {
            return oldestWatchable();
        } finally {
            stateLock.readLock().unlock();
        }
    }

    @Override
    public void compact() {
        writeLock.lock();
        try {
            ensureOpen();
            if (failed != null) {
                recover();
            }
            int excess = eventLog.size() - config.eventLogRetention();
            if (excess <= 0) {
                return;
            }
            Iterator<WatchEvent> oldest = eventLog.iterator();
            long through = 0;
            for (int i = 0; i < excess; i++) {
                through = oldest.next().resourceVersion();
            }
            try {
                file.compact(through);
            } catch (StoreException.StorageFailure e) {
                failed = e;
                throw e;
            }
            stateLock.writeLock().lock();
            try {
                while (!eventLog.isEmpty() && eventLog.peekFirst().resourceVersion() <= through) {
                    eventLog.pollFirst();
                }
                compactedResourceVersion = through;
            } finally {
                stateLock.writeLock().unlock();
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        if (compactor != null) {
            compactor.shutdownNow();
        }
        writeLock.lock();
        try {
            stateLock.writeLock().lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
            } finally {
                stateLock.writeLock().unlock();
            }
            for (Watcher watcher : List.copyOf(watchers)) {
                watcher.finish(new WatchEnd.StoreClosed());
            }
            if (failed != null) {
                closeQuietly(file);
                return;
            }
            file.close();
        } finally {
            writeLock.unlock();
        }
    }

    /** The number of events currently retained in the log (for tests and metrics). */
    public int retainedEvents() {
        stateLock.readLock().lock();
        try {
            return eventLog.size();
        } finally {
            stateLock.readLock().unlock();
        }
    }

    /** {@code PRAGMA} settings the durability contract relies on, e.g. {@code journal_mode=wal} (for tests). */
    public List<String> durabilitySettings() {
        writeLock.lock();
        try {
            ensureOpen();
            if (failed != null) {
                recover();
            }
            return file.pragmas();
        } finally {
            writeLock.unlock();
        }
    }

    // --- group commit ---

    /** Writes queued for the next group commit (for tests). */
    int queuedWrites() {
        return queue.size();
    }

    /** Write transactions committed since open (for tests). */
    long transactions() {
        return transactions;
    }

    /**
     * Queues {@code op} and returns once it is committed. Whoever holds the write lock commits every queued
     * write in one transaction (one fsync for all of them), so concurrent writers share the disk's latency.
     */
    private StoredObject write(WriteOp op) {
        PendingWrite pending = new PendingWrite(op);
        queue.add(pending);
        writeLock.lock();
        try {
            if (!pending.done()) {
                commitQueued();
            }
            return pending.outcome();
        } finally {
            writeLock.unlock();
        }
    }

    /** Under the write lock: decides, commits and publishes up to {@link #MAX_BATCH} queued writes. */
    private void commitQueued() {
        List<PendingWrite> batch = new ArrayList<>();
        for (PendingWrite next; batch.size() < MAX_BATCH && (next = queue.poll()) != null; ) {
            batch.add(next);
        }
        try {
            if (closed) {
                batch.forEach(w -> w.fail(new StoreException.StorageFailure("store is closed", null)));
                return;
            }
            if (failed != null) {
                recover();
            }
            Map<String, StoredObject> overlay = new HashMap<>(); // state after the batch's earlier writes; null = deleted
            List<WatchEvent> events = new ArrayList<>();
            List<PendingWrite> changed = new ArrayList<>();
            Map<PendingWrite, StoredObject> unchanged = new HashMap<>(); // acknowledged only with the batch
            long rv = currentResourceVersion;
            for (PendingWrite write : batch) {
                String path = write.op.key().path();
                StoredObject current = overlay.containsKey(path) ? overlay.get(path) : objects.get(path);
                WriteOp.Decision decision;
                try {
                    if (rv >= MAX_RESOURCE_VERSION) {
                        throw new StoreException.StorageFailure("resourceVersion space exhausted at " + rv, null);
                    }
                    decision = write.op.decide(current, rv + 1);
                } catch (RuntimeException e) {
                    write.fail(e);
                    continue;
                }
                switch (decision) {
                    case WriteOp.Decision.Unchanged same -> unchanged.put(write, same.current());
                    case WriteOp.Decision.Change change -> {
                        WatchEvent event = change.event();
                        rv = event.resourceVersion();
                        overlay.put(path, event.type() == WatchEvent.Type.DELETED ? null : event.object());
                        events.add(event);
                        changed.add(write);
                    }
                }
            }
            if (!events.isEmpty()) {
                file.commit(events);
                transactions++;
                publish(events);
            }
            unchanged.forEach(PendingWrite::succeed);
            for (int i = 0; i < changed.size(); i++) {
                changed.get(i).succeed(events.get(i).object());
            }
        } catch (RuntimeException e) {
            StoreException.StorageFailure failure = e instanceof StoreException.StorageFailure storage
                    ? storage : new StoreException.StorageFailure("write failed: " + e, e);
            failed = failure;
            batch.forEach(w -> w.fail(failure));
            throw failure;
        } catch (Error e) {
            failed = new StoreException.StorageFailure("write aborted: " + e, e);
            batch.forEach(w -> w.fail(failed));
            throw e;
        }
    }

    /**
     * Under the write lock, after a failed commit or compaction: closes the connection, opens the file again
     * and publishes the events on disk newer than memory (a failed commit that reached the disk after all).
     * Throws, and stays failed, while the cause lasts (e.g. the disk is still full).
     */
    private void recover() {
        // The new connection opens while the failed one still holds the file: closing that one afterwards is
        // then not the last close, which would copy the whole WAL into the database file (a checkpoint) and
        // eat the space just freed. If opening fails, the failed one is closed after all (to free its locks).
        file.rollbackQuietly();
        SqliteFile reopened;
        List<WatchEvent> committed = new ArrayList<>();
        try {
            reopened = SqliteFile.open(config.database());
        } catch (RuntimeException e) {
            closeQuietly(file);
            throw e;
        }
        try {
            reopened.loadEventsAfter(currentResourceVersion, committed::add);
        } catch (RuntimeException e) {
            closeQuietly(reopened);
            closeQuietly(file);
            throw e;
        }
        closeQuietly(file);
        file = reopened;
        LOG.log(System.Logger.Level.INFO, "store database reopened after: " + failed.getMessage());
        failed = null;
        if (!committed.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, committed.size() + " change(s) reported as failed had reached the disk;"
                    + " publishing them (resourceVersion " + committed.getFirst().resourceVersion() + " to "
                    + committed.getLast().resourceVersion() + ")");
            publish(committed);
        }
    }

    private static void closeQuietly(SqliteFile file) {
        try {
            file.close();
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a failed store connection", e);
        }
    }

    /** Makes committed {@code events} visible to readers and watches, in order. */
    private void publish(List<WatchEvent> events) {
        stateLock.writeLock().lock();
        try {
            for (WatchEvent event : events) {
                StoredObject object = event.object();
                if (event.type() == WatchEvent.Type.DELETED) {
                    objects.remove(object.key().path());
                } else {
                    objects.put(object.key().path(), object);
                }
                eventLog.addLast(event);
                currentResourceVersion = object.resourceVersion();
                for (Watcher watcher : watchers) {
                    watcher.offer(event);
                }
            }
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    // --- under the state lock ---

    private void ensureOpen() {
        if (closed) {
            throw new StoreException.StorageFailure("store is closed", null);
        }
    }

    private boolean isClosed() {
        stateLock.readLock().lock();
        try {
            return closed;
        } finally {
            stateLock.readLock().unlock();
        }
    }

    private long oldestWatchable() {
        return Math.max(1, compactedResourceVersion);
    }

    private List<WatchEvent> currentState(KeyPrefix prefix) {
        List<WatchEvent> added = new ArrayList<>();
        for (Map.Entry<String, StoredObject> entry : objects.tailMap(prefix.path(), true).entrySet()) {
            if (!entry.getKey().startsWith(prefix.path())) {
                break;
            }
            added.add(new WatchEvent(WatchEvent.Type.ADDED, entry.getValue()));
        }
        return added;
    }

    private List<WatchEvent> replay(KeyPrefix prefix, long after) {
        ArrayDeque<WatchEvent> newestFirst = new ArrayDeque<>();
        Iterator<WatchEvent> it = eventLog.descendingIterator();
        while (it.hasNext()) {
            WatchEvent event = it.next();
            if (event.resourceVersion() <= after) {
                break;
            }
            if (prefix.contains(event.object().key())) {
                newestFirst.addFirst(event);
            }
        }
        return new ArrayList<>(newestFirst);
    }

    private void compactQuietly() {
        try {
            compact();
        } catch (StoreException e) {
            if (!isClosed()) {
                LOG.log(System.Logger.Level.WARNING, "event log compaction failed; will retry", e);
            }
        }
    }
}
