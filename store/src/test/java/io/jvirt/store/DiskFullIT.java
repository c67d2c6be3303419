package io.jvirt.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
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
 * The store on a real, small tmpfs that fills up: each kind of write fails with {@link StoreException.StorageFull}
 * naming the cause and leaves no trace (objects, watch, resourceVersion); once space is freed the same write
 * succeeds without a restart, and every write acknowledged before is still there, also after reopening.
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
            StoreConfig config = StoreConfig.defaults(disk.path().resolve("store/objects.db")).withCompactionInterval(Duration.ZERO);
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
            }
            try (SqliteStore reopened = SqliteStore.open(config)) {
                assertEquals(expected, contents(reopened), "every acknowledged write survives reopening, nothing else");
                assertEquals(acknowledged + 2, reopened.currentResourceVersion());
            }
        }
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
