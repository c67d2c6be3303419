package io.jvirt.store;

import static io.jvirt.store.TestObjects.annotation;
import static io.jvirt.store.TestObjects.json;
import static io.jvirt.store.TestObjects.vm;
import static io.jvirt.store.TestObjects.withAnnotation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {

    private static final int THREADS = 8;
    private static final int INCREMENTS = 100;

    @TempDir
    Path dir;

    @Test
    void concurrentCompareAndSetIncrementsLoseNothing() throws Exception {
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("store.db")).withCompactionInterval(Duration.ofMillis(50)))) {
            ObjectKey key = vm("default", "counter");
            store.create(key, json("counter", Map.of("count", "0")));
            RecordingListener watch = new RecordingListener();
            store.watch(KeyPrefix.of("kubevirt.io", "virtualmachines"), 1, watch);
            AtomicInteger conflicts = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                for (int t = 0; t < THREADS; t++) {
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < INCREMENTS; i++) {
                            while (true) {
                                StoredObject current = store.get(key).orElseThrow();
                                int count = Integer.parseInt(annotation(current, "count"));
                                try {
                                    store.update(key, withAnnotation(current, "count", String.valueOf(count + 1)),
                                            Preconditions.resourceVersion(current.resourceVersion()));
                                    break;
                                } catch (StoreException.Conflict e) {
                                    conflicts.incrementAndGet();
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } finally {
                pool.shutdownNow();
            }

            StoredObject last = store.get(key).orElseThrow();
            assertEquals("800", annotation(last, "count"));
            assertEquals(1 + THREADS * INCREMENTS, last.resourceVersion());
            System.out.printf("%d increments, %d conflicts retried%n", THREADS * INCREMENTS, conflicts.get());
            List<WatchEvent> events = watch.next(THREADS * INCREMENTS); // every increment, in order
            for (int i = 0; i < events.size(); i++) {
                assertEquals(String.valueOf(i + 1), annotation(events.get(i).object(), "count"));
                assertEquals(i + 2, events.get(i).resourceVersion());
            }
        }
    }

    @Test
    void ofConcurrentUpdatesFromTheSameVersionExactlyOneWins() throws Exception {
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("race.db")))) {
            ObjectKey key = vm("default", "raced");
            StoredObject read = store.create(key, json("raced", Map.of("writer", "none")));
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            AtomicInteger wins = new AtomicInteger();
            AtomicInteger conflicts = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    String writer = "w" + t;
                    writers.add(pool.submit(() -> {
                        barrier.await();
                        try {
                            store.update(key, withAnnotation(read, "writer", writer), Preconditions.resourceVersion(read.resourceVersion()));
                            wins.incrementAndGet();
                        } catch (StoreException.Conflict e) {
                            conflicts.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : writers) {
                    writer.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, wins.get());
            assertEquals(THREADS - 1, conflicts.get());
            assertEquals(2, store.currentResourceVersion());
            assertTrue(annotation(store.get(key).orElseThrow(), "writer").startsWith("w"));
        }
    }

    @Test
    void concurrentWritersGetUniqueContiguousVersionsInWatchOrder() throws Exception {
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("many.db")))) {
            RecordingListener watch = new RecordingListener();
            store.watch(KeyPrefix.of("kubevirt.io", "virtualmachines"), 0, watch);
            int perThread = 50;
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<List<StoredObject>>> writers = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            try {
                for (int t = 0; t < 16; t++) {
                    int thread = t;
                    writers.add(pool.submit(() -> {
                        start.await();
                        List<StoredObject> mine = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            String name = "t" + thread + "-" + i;
                            StoredObject created = store.create(vm("default", name), json(name));
                            mine.add(created);
                            if (i % 5 == 0) {
                                mine.add(store.delete(created.key(), Preconditions.resourceVersion(created.resourceVersion())));
                            }
                        }
                        return mine;
                    }));
                }
                start.countDown();
                java.util.Set<Long> versions = new java.util.TreeSet<>();
                for (Future<List<StoredObject>> writer : writers) {
                    for (StoredObject o : writer.get()) {
                        assertTrue(versions.add(o.resourceVersion()), "resourceVersion " + o.resourceVersion() + " given twice");
                        assertEquals(String.valueOf(o.resourceVersion()), TestObjects.resourceVersionIn(o));
                    }
                }
                int writes = 16 * (perThread + perThread / 5);
                assertEquals(writes, versions.size());
                assertEquals(java.util.stream.LongStream.rangeClosed(1, writes).boxed().toList(), List.copyOf(versions));
                List<WatchEvent> events = watch.next(writes);
                for (int i = 0; i < writes; i++) {
                    assertEquals(i + 1, events.get(i).resourceVersion());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void ofConcurrentCreatesOfOneKeyExactlyOneSucceeds() throws Exception {
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("creates.db")))) {
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            AtomicInteger created = new AtomicInteger();
            AtomicInteger existed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    writers.add(pool.submit(() -> {
                        barrier.await();
                        try {
                            store.create(vm("default", "one"), json("one"));
                            created.incrementAndGet();
                        } catch (StoreException.AlreadyExists e) {
                            existed.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : writers) {
                    writer.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, created.get());
            assertEquals(THREADS - 1, existed.get());
            assertEquals(1, store.currentResourceVersion());
        }
    }
}
