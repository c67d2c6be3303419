package io.jvirt.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store on a real, small tmpfs that fills up: each kind of write (and compaction) fails with {@link
 * StoreException.StorageFull} naming the cause and leaves no trace (objects, watch, resourceVersion); once space
 * is freed the same write succeeds without a restart, and every write acknowledged before is still there, also after reopening.
 */
class DiskFullIT {

    private static final int OBJECTS = 20;

    @TempDir
    Path dir;

    /** A write that meets the full disk, and what the store holds once it succeeded. */
    record FailingWrite(String name, Function<SqliteStore, StoredObject> write, Consumer<Map<String, String>> effect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> writes() {
        return Stream.of(
                new FailingWrite("create",
                        s -> s.create(TestObjects.vm("default", "new"), TestObjects.json("new")),
                        m -> m.put("new", "created")),
                new FailingWrite("update",
                        s -> s.update(TestObjects.vm("default", "obj-3"), TestObjects.json("obj-3", Map.of("v", "2")), Preconditions.NONE),
                        m -> m.put("obj-3", "2")),
                new FailingWrite("read-modify-write",
                        s -> s.update(TestObjects.vm("default", "obj-5"), o -> TestObjects.withAnnotation(o, "v", "3")),
                        m -> m.put("obj-5", "3")),
                new FailingWrite("delete",
                        s -> s.delete(TestObjects.vm("default", "obj-7"), Preconditions.NONE),
                        m -> m.remove("obj-7"))
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    @Timeout(120)
    void aWriteOnAFullDiskFailsCleanlyAndSucceedsOnceSpaceIsFreed(FailingWrite failing) throws Exception {
        try (Tmpfs disk = Tmpfs.mount(dir.resolve("mnt"), 4096)) {
            StoreConfig config = StoreConfig.defaults(disk.path().resolve("store/objects.db"))
                    .withCompactionInterval(Duration.ZERO).withEventLogRetention(5);
            Map<String, String> expected = new TreeMap<>();
            long acknowledged;
            try (SqliteStore store = SqliteStore.open(config)) {
                for (int i = 0; i < OBJECTS; i++) {
                    store.create(TestObjects.vm("default", "obj-" + i), TestObjects.json("obj-" + i, Map.of("v", "1")));
                    expected.put("obj-" + i, "1");
                }
                acknowledged = store.currentResourceVersion();
                RecordingListener watch = new RecordingListener();
                store.watch(KeyPrefix.of("kubevirt.io", "virtualmachines"), acknowledged, watch);

                Path filler = disk.fill("filler");
                for (int attempt = 0; attempt < 3; attempt++) {
                    StoreException.StorageFull full = assertThrows(StoreException.StorageFull.class, () -> failing.write().apply(store),
                            "attempt " + attempt + " on the full disk");
                    assertTrue(full.getMessage().contains("database or disk is full"), full.getMessage());
                    assertEquals(acknowledged, store.currentResourceVersion(), "the failed write took no resourceVersion");
                    assertEquals(expected, contents(store), "the failed write left no trace in memory");
                }
                assertThrows(StoreException.StorageFull.class, store::compact, "compaction on the full disk");
                assertEquals(OBJECTS, store.retainedEvents(), "the failed compaction dropped nothing from memory");

                Files.delete(filler);
                StoredObject written = failing.write().apply(store);
                assertEquals(acknowledged + 1, written.resourceVersion(), "the next write takes the next resourceVersion");
                failing.effect().accept(expected);
                assertEquals(expected, contents(store));
                WatchEvent first = watch.next();
                assertEquals(acknowledged + 1, first.resourceVersion(), "no phantom event before the recovered write: " + first);
                assertEquals(written.key(), first.object().key());

                StoredObject after = store.create(TestObjects.vm("default", "after"), TestObjects.json("after"));
                expected.put("after", "created");
                assertEquals(acknowledged + 2, after.resourceVersion());
                assertEquals(acknowledged + 2, watch.next().resourceVersion(), "the watch goes on with the next write");
                assertNull(watch.poll(0), "no event beyond the acknowledged writes");
                store.compact();
                assertEquals(5, store.retainedEvents(), "compaction works again");
            }
            try (SqliteStore reopened = SqliteStore.open(config)) {
                assertEquals(expected, contents(reopened), "every acknowledged write survives reopening, nothing else");
                assertEquals(acknowledged + 2, reopened.currentResourceVersion());
            }
        }
    }

    /**
     * Four writers fill the disk together (group commits of several writes fail as a whole): what was
     * acknowledged is exactly what is stored, with the resourceVersions 1..n and no hole, also after reopening.
     */
    @Test
    @Timeout(120)
    void concurrentWritersFillingTheDiskLoseNothingAcknowledgedAndKeepNothingRefused() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(dir.resolve("mnt"), 2048)) {
            StoreConfig config = StoreConfig.defaults(disk.path().resolve("store/objects.db")).withCompactionInterval(Duration.ZERO);
            Path filler = disk.path().resolve("filler");
            Files.write(filler, new byte[256 * 1024]);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Set<String> refused = ConcurrentHashMap.newKeySet();
            String payload = "x".repeat(4000);
            try (SqliteStore store = SqliteStore.open(config)) {
                List<Future<?>> writers = new ArrayList<>();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                try {
                    for (int t = 0; t < 4; t++) {
                        int writer = t;
                        writers.add(pool.submit(() -> {
                            int failures = 0;
                            for (int i = 0; i < 5000 && failures < 3; i++) {
                                String name = "w" + writer + "-" + i;
                                try {
                                    store.create(TestObjects.vm("default", name), TestObjects.json(name, Map.of("pad", payload)));
                                    acknowledged.add(name);
                                } catch (StoreException.StorageFull full) {
                                    refused.add(name);
                                    failures++;
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> w : writers) {
                        w.get(90, TimeUnit.SECONDS);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertTrue(refused.size() >= 12, "every writer met the full disk: " + refused);
                assertStoredExactly(store, acknowledged);

                Files.delete(filler);
                StoredObject next = store.create(TestObjects.vm("default", "next"), TestObjects.json("next"));
                acknowledged.add("next");
                assertEquals(acknowledged.size(), next.resourceVersion(), "no resourceVersion was used by a refused write");
                assertStoredExactly(store, acknowledged);
            }
            try (SqliteStore reopened = SqliteStore.open(config)) {
                assertStoredExactly(reopened, acknowledged);
            }
        }
    }

    /** The store holds exactly {@code names}, with the resourceVersions 1..n. */
    private static void assertStoredExactly(SqliteStore store, Set<String> names) {
        List<StoredObject> items = store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.ALL).items();
        assertEquals(new TreeSet<>(names), items.stream().map(o -> o.key().name()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(LongStream.rangeClosed(1, names.size()).boxed().toList(),
                items.stream().map(StoredObject::resourceVersion).sorted().toList());
        assertEquals(names.size(), store.currentResourceVersion());
    }

    @Test
    @Timeout(60)
    void storeFilesArePrivateAndExistingOnesAreFixedAtOpen() throws Exception {
        Path database = dir.resolve("store/objects.db");
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(database))) {
            store.create(TestObjects.vm("default", "a"), TestObjects.json("a"));
            assertEquals("rwx------", mode(database.getParent()));
            for (String file : new String[] {"objects.db", "objects.db-wal", "objects.db-shm"}) {
                assertEquals("rw-------", mode(database.resolveSibling(file)), file);
            }
        }
        Files.setPosixFilePermissions(database, PosixFilePermissions.fromString("rw-r--r--"));
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(database))) {
            assertEquals("rw-------", mode(database), "an install from before is fixed at open");
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** name → the annotation {@code v} ("created" for objects without one). */
    private static Map<String, String> contents(SqliteStore store) {
        Map<String, String> names = new LinkedHashMap<>();
        for (StoredObject o : store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.ALL).items()) {
            String v = TestObjects.annotation(o, "v");
            names.put(o.key().name(), v == null ? "created" : v);
        }
        return new TreeMap<>(names);
    }
}
