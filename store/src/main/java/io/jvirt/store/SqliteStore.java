package io.jvirt.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link ObjectStore} on a SQLite file, with every object and the retained event log mirrored in memory.
 *
 * <p>Writes are serialized by one write lock: check against memory, commit to SQLite (fsync), then apply to
 * memory and fan out to watches under the state lock. Reads take only the state lock's read side, so they
 * never wait for a disk write. A background thread compacts the event log every
 * {@link StoreConfig#compactionInterval()}. Thread-safe.
 */
public final class SqliteStore implements ObjectStore {

    private static final Logger LOG = Logger.getLogger(SqliteStore.class.getName());
    /** resourceVersions stay below 2^31 so that clients parsing them as int32 never overflow. */
    static final long MAX_RESOURCE_VERSION = Integer.MAX_VALUE;

    private final StoreConfig config;
    private final SqliteFile file;
    private final ScheduledExecutorService compactor;

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
        ObjectNode tree = ObjectJson.parse(json);
        writeLock.lock();
        try {
            ensureOpen();
            if (objects.containsKey(key.path())) {
                throw new StoreException.AlreadyExists(key);
            }
            long rv = nextResourceVersion();
            StoredObject created = new StoredObject(key, rv, ObjectJson.stamped(tree, rv));
            commit(new WatchEvent(WatchEvent.Type.ADDED, created));
            return created;
        } finally {
            writeLock.unlock();
        }
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
        Objects.requireNonNull(preconditions, "preconditions");
        ObjectNode tree = ObjectJson.parse(json);
        writeLock.lock();
        try {
            StoredObject current = existing(key);
            check(current, preconditions);
            return replace(current, tree);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public StoredObject update(ObjectKey key, Function<StoredObject, byte[]> mutation) {
        Objects.requireNonNull(mutation, "mutation");
        writeLock.lock();
        try {
            StoredObject current = existing(key);
            return replace(current, ObjectJson.parse(mutation.apply(current)));
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public StoredObject delete(ObjectKey key, Preconditions preconditions) {
        Objects.requireNonNull(preconditions, "preconditions");
        writeLock.lock();
        try {
            StoredObject current = existing(key);
            check(current, preconditions);
            long rv = nextResourceVersion();
            StoredObject deleted = new StoredObject(key, rv, ObjectJson.stamped(ObjectJson.parse(current.json()), rv));
            commit(new WatchEvent(WatchEvent.Type.DELETED, deleted));
            return deleted;
        } finally {
            writeLock.unlock();
        }
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
            int excess = eventLog.size() - config.eventLogRetention();
            if (excess <= 0) {
                return;
            }
            Iterator<WatchEvent> oldest = eventLog.iterator();
            long through = 0;
            for (int i = 0; i < excess; i++) {
                through = oldest.next().resourceVersion();
            }
            file.compact(through);
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
            return file.pragmas();
        } finally {
            writeLock.unlock();
        }
    }

    // --- under the write lock ---

    private StoredObject existing(ObjectKey key) {
        ensureOpen();
        StoredObject current = objects.get(key.path());
        if (current == null) {
            throw new StoreException.NotFound(key);
        }
        return current;
    }

    private static void check(StoredObject current, Preconditions preconditions) {
        if (preconditions.resourceVersion() != 0 && preconditions.resourceVersion() != current.resourceVersion()) {
            throw new StoreException.Conflict(current.key(), current.resourceVersion(),
                    "resourceVersion of " + current.key() + " is " + current.resourceVersion()
                            + ", not " + preconditions.resourceVersion() + ": it changed since it was read");
        }
        if (preconditions.uid() != null) {
            String uid = ObjectJson.uid(current.json());
            if (!preconditions.uid().equals(uid)) {
                throw new StoreException.Conflict(current.key(), current.resourceVersion(),
                        "uid of " + current.key() + " is " + uid + ", not " + preconditions.uid());
            }
        }
    }

    private StoredObject replace(StoredObject current, ObjectNode tree) {
        byte[] unchanged = ObjectJson.stamped(tree, current.resourceVersion());
        if (Arrays.equals(unchanged, current.json())) {
            return current;
        }
        long rv = nextResourceVersion();
        StoredObject updated = new StoredObject(current.key(), rv, ObjectJson.stamped(tree, rv));
        commit(new WatchEvent(WatchEvent.Type.MODIFIED, updated));
        return updated;
    }

    private long nextResourceVersion() {
        if (currentResourceVersion >= MAX_RESOURCE_VERSION) {
            throw new StoreException.StorageFailure("resourceVersion space exhausted at " + currentResourceVersion, null);
        }
        return currentResourceVersion + 1;
    }

    /** Durably writes {@code event}, then makes it visible to readers and watches. */
    private void commit(WatchEvent event) {
        file.commit(event);
        stateLock.writeLock().lock();
        try {
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
            LOG.log(Level.WARNING, "event log compaction failed; will retry", e);
        }
    }
}
