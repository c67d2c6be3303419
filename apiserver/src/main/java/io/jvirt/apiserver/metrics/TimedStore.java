package io.jvirt.apiserver.metrics;

import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ListResult;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.Preconditions;
import io.jvirt.store.StoredObject;
import io.jvirt.store.Watch;
import io.jvirt.store.WatchListener;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link ObjectStore} that times every get, list, create, update and delete of the store it wraps into
 * {@code jvirt_store_request_duration_seconds{operation, type}} (type: {@code <resource>} or
 * {@code <resource>.<group>}), failed calls included, as kube-apiserver times its etcd requests. Watches,
 * compaction and close pass through untimed. Thread-safe as the wrapped store.
 */
public final class TimedStore implements ObjectStore {
    private final ObjectStore store;
    private final ApiMetrics metrics;

    public TimedStore(ObjectStore store, ApiMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    private <T> T timed(String operation, String group, String resource, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            metrics.store.labelValues(operation, group.isEmpty() ? resource : resource + "." + group).observe((System.nanoTime() - start) / 1e9);
        }
    }

    @Override
    public StoredObject create(ObjectKey key, byte[] json) {
        return timed("create", key.group(), key.resource(), () -> store.create(key, json));
    }

    @Override
    public Optional<StoredObject> get(ObjectKey key) {
        return timed("get", key.group(), key.resource(), () -> store.get(key));
    }

    @Override
    public ListResult list(KeyPrefix prefix, ListOptions options) {
        return timed("list", prefix.group(), prefix.resource(), () -> store.list(prefix, options));
    }

    @Override
    public StoredObject update(ObjectKey key, byte[] json, Preconditions preconditions) {
        return timed("update", key.group(), key.resource(), () -> store.update(key, json, preconditions));
    }

    @Override
    public StoredObject update(ObjectKey key, Function<StoredObject, byte[]> mutation) {
        return timed("update", key.group(), key.resource(), () -> store.update(key, mutation));
    }

    @Override
    public StoredObject delete(ObjectKey key, Preconditions preconditions) {
        return timed("delete", key.group(), key.resource(), () -> store.delete(key, preconditions));
    }

    @Override
    public Watch watch(KeyPrefix prefix, long fromResourceVersion, WatchListener listener) {
        return store.watch(prefix, fromResourceVersion, listener);
    }

    @Override
    public long currentResourceVersion() {
        return store.currentResourceVersion();
    }

    @Override
    public long oldestWatchableResourceVersion() {
        return store.oldestWatchableResourceVersion();
    }

    @Override
    public void compact() {
        store.compact();
    }

    @Override
    public void close() {
        store.close();
    }
}
