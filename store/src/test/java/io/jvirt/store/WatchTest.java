package io.jvirt.store;

import static io.jvirt.store.TestObjects.annotation;
import static io.jvirt.store.TestObjects.json;
import static io.jvirt.store.TestObjects.pod;
import static io.jvirt.store.TestObjects.resourceVersionIn;
import static io.jvirt.store.TestObjects.vm;
import static io.jvirt.store.TestObjects.withAnnotation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WatchTest {

    private static final KeyPrefix VMS = KeyPrefix.of("kubevirt.io", "virtualmachines");

    @TempDir
    Path dir;
    SqliteStore store;

    private SqliteStore open(int retention, Duration compaction, int queueLimit) {
        store = SqliteStore.open(new StoreConfig(dir.resolve("store.db"), retention, compaction, queueLimit));
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static String describe(WatchEvent event) {
        return event.type() + " " + event.object().key().namespace() + "/" + event.object().key().name()
                + "@" + event.resourceVersion();
    }

    @Test
    void replaysTheLogAfterTheGivenVersionThenStreamsLiveEvents() throws Exception {
        open(100, Duration.ZERO, 100);
        StoredObject a = store.create(vm("default", "a"), json("a"));      // 1
        store.create(pod("default", "p"), json("p"));                      // 2 (other resource)
        store.update(vm("default", "a"), withAnnotation(a, "k", "v"), Preconditions.NONE); // 3
        store.create(vm("other", "b"), json("b"));                         // 4
        store.delete(vm("default", "a"), Preconditions.NONE);              // 5

        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch(VMS, 1, listener)) {
            List<WatchEvent> replayed = listener.next(3);
            assertEquals(List.of("MODIFIED default/a@3", "ADDED other/b@4", "DELETED default/a@5"),
                    replayed.stream().map(WatchTest::describe).toList());
            assertEquals("5", resourceVersionIn(replayed.get(2).object()));
            assertEquals("v", annotation(replayed.get(2).object(), "k"));

            store.create(pod("default", "q"), json("q"));                  // 6 (filtered)
            store.create(vm("default", "c"), json("c"));                   // 7
            assertEquals("ADDED default/c@7", describe(listener.next()));
            assertNull(listener.poll(100));
            assertEquals(7, watch.progressResourceVersion());
        }
        assertInstanceOf(WatchEnd.Cancelled.class, listener.awaitEnd());
    }

    @Test
    void namespacedWatchSeesOnlyItsNamespace() throws Exception {
        open(100, Duration.ZERO, 100);
        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch(KeyPrefix.of("kubevirt.io", "virtualmachines", "ns1"), store.currentResourceVersion(), listener)) {
            store.create(vm("ns2", "a"), json("a"));
            store.create(vm("ns1", "a"), json("a"));
            store.create(vm("ns10", "a"), json("a"));
            assertEquals("ADDED ns1/a@2", describe(listener.next()));
            assertNull(listener.poll(100));
        }
    }

    @Test
    void watchFromZeroStartsWithTheCurrentObjects() throws Exception {
        open(100, Duration.ZERO, 100);
        store.create(vm("default", "b"), json("b"));
        store.create(vm("default", "a"), json("a"));
        store.create(pod("default", "a"), json("a"));
        store.delete(vm("default", "b"), Preconditions.NONE);

        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch(VMS, 0, listener)) {
            assertEquals("ADDED default/a@2", describe(listener.next()));
            store.create(vm("default", "c"), json("c"));
            assertEquals("ADDED default/c@5", describe(listener.next()));
            assertNull(listener.poll(100));
        }
    }

    @Test
    void watchFromTheFutureWaitsForThatVersion() throws Exception {
        open(100, Duration.ZERO, 100);
        store.create(vm("default", "a"), json("a"));
        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch(VMS, 3, listener)) {
            store.create(vm("default", "b"), json("b"));
            store.create(vm("default", "c"), json("c"));
            store.create(vm("default", "d"), json("d"));
            assertEquals("ADDED default/d@4", describe(listener.next()));
        }
    }

    @ParameterizedTest
    @CsvSource({"1, true", "4, true", "5, false", "6, false", "7, false", "0, false"})
    void watchFromACompactedVersionIsExpired(long from, boolean expired) throws Exception {
        open(2, Duration.ZERO, 100);
        for (int i = 1; i <= 7; i++) {
            store.create(vm("default", "vm" + i), json("vm" + i));
        }
        store.compact(); // keeps 6 and 7: a watch may start at 5 or later
        assertEquals(5, store.oldestWatchableResourceVersion());
        assertEquals(2, store.retainedEvents());

        RecordingListener listener = new RecordingListener();
        if (expired) {
            StoreException.Expired e = assertThrows(StoreException.Expired.class, () -> store.watch(VMS, from, listener));
            assertEquals(from, e.requested());
            assertEquals(5, e.oldestAvailable());
            assertTrue(e.getMessage().contains("too old resource version"), e.getMessage());
            return;
        }
        try (Watch watch = store.watch(VMS, from, listener)) {
            int expectedEvents = from == 0 ? 7 : (int) (7 - from);
            assertEquals(expectedEvents, listener.next(expectedEvents).size());
            assertNull(listener.poll(100));
        }
    }

    @Test
    void backgroundCompactionKeepsTheNewestEvents() throws Exception {
        open(3, Duration.ofMillis(20), 100);
        for (int i = 0; i < 10; i++) {
            store.create(vm("default", "vm" + i), json("vm" + i));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.retainedEvents() > 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(3, store.retainedEvents());
        assertEquals(7, store.oldestWatchableResourceVersion());
        assertEquals(10, store.list(VMS, ListOptions.ALL).items().size());
    }

    @Test
    void slowListenerOverflowsAndEnds() throws Exception {
        open(100, Duration.ZERO, 2);
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener ends = new RecordingListener();
        WatchListener blocking = new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onEnd(WatchEnd reason) {
                ends.onEnd(reason);
            }
        };
        store.watch(VMS, 0, blocking);
        for (int i = 0; i < 5; i++) {
            store.create(vm("default", "vm" + i), json("vm" + i)); // 1 in delivery + 2 queued, then overflow
        }
        release.countDown();
        assertEquals(new WatchEnd.Overflowed(2), ends.awaitEnd());
    }

    @Test
    void failingListenerEndsItsWatchOnly() throws Exception {
        open(100, Duration.ZERO, 100);
        RecordingListener ends = new RecordingListener();
        store.watch(VMS, 0, new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onEnd(WatchEnd reason) {
                ends.onEnd(reason);
            }
        });
        RecordingListener healthy = new RecordingListener();
        store.watch(VMS, 0, healthy);
        store.create(vm("default", "a"), json("a"));
        store.create(vm("default", "b"), json("b"));

        WatchEnd end = ends.awaitEnd();
        assertInstanceOf(WatchEnd.ListenerFailed.class, end);
        assertEquals("boom", ((WatchEnd.ListenerFailed) end).cause().getMessage());
        assertEquals(2, healthy.next(2).size());
    }

    @Test
    void closingTheStoreEndsEveryWatch() throws Exception {
        open(100, Duration.ZERO, 100);
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        store.watch(VMS, 0, first);
        store.watch(KeyPrefix.of("", "pods"), 0, second);
        store.close();
        assertEquals(new WatchEnd.StoreClosed(), first.awaitEnd());
        assertEquals(new WatchEnd.StoreClosed(), second.awaitEnd());
    }

    @Test
    void progressAdvancesPastUnrelatedWritesOnceCaughtUp() throws Exception {
        open(100, Duration.ZERO, 100);
        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch(VMS, 0, listener)) {
            store.create(vm("default", "a"), json("a"));
            listener.next();
            for (int i = 0; i < 5; i++) {
                store.create(pod("default", "p" + i), json("p"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (watch.progressResourceVersion() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(6, watch.progressResourceVersion());
        }
    }

    @Test
    void manyWatchersEachSeeEveryEventInOrder() throws Exception {
        open(1000, Duration.ZERO, 1000);
        List<RecordingListener> listeners = java.util.stream.IntStream.range(0, 50).mapToObj(i -> new RecordingListener()).toList();
        List<Watch> watches = listeners.stream().map(l -> store.watch(VMS, 0, l)).toList();
        StoredObject counter = store.create(vm("default", "counter"), json("counter"));
        for (int i = 1; i <= 20; i++) {
            counter = store.update(counter.key(), withAnnotation(counter, "n", String.valueOf(i)), Preconditions.NONE);
        }
        for (RecordingListener listener : listeners) {
            List<WatchEvent> events = listener.next(21);
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).resourceVersion());
            }
        }
        watches.forEach(Watch::close);
    }
}
