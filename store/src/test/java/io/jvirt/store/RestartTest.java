package io.jvirt.store;

import static io.jvirt.store.TestObjects.json;
import static io.jvirt.store.TestObjects.pod;
import static io.jvirt.store.TestObjects.vm;
import static io.jvirt.store.TestObjects.withAnnotation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest {

    @TempDir
    Path dir;

    private StoreConfig config() {
        return new StoreConfig(dir.resolve("data/store.db"), 3, Duration.ZERO, 100);
    }

    @Test
    void reopenedStoreServesTheSameObjectsVersionsAndEventLog() throws Exception {
        List<StoredObject> before;
        try (SqliteStore store = SqliteStore.open(config())) {
            StoredObject a = store.create(vm("default", "a"), json("a"));          // 1
            store.create(vm("default", "b"), json("b"));                          // 2
            store.create(pod("default", "p"), json("p"));                         // 3
            store.update(a.key(), withAnnotation(a, "k", "v"), Preconditions.NONE); // 4
            store.delete(vm("default", "b"), Preconditions.NONE);                 // 5
            before = store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.ALL).items();
        }
        try (SqliteStore store = SqliteStore.open(config())) {
            ListResult after = store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.ALL);
            assertEquals(before, after.items());
            assertEquals(5, after.resourceVersion());
            assertEquals(5, store.currentResourceVersion());

            RecordingListener listener = new RecordingListener();
            try (Watch watch = store.watch(KeyPrefix.of("kubevirt.io", "virtualmachines"), 3, listener)) {
                assertEquals(WatchEvent.Type.MODIFIED, listener.next().type());
                WatchEvent deleted = listener.next();
                assertEquals(WatchEvent.Type.DELETED, deleted.type());
                assertEquals(vm("default", "b"), deleted.object().key());
                assertEquals(5, deleted.resourceVersion());
            }
            assertEquals(6, store.create(vm("default", "c"), json("c")).resourceVersion());
        }
    }

    @Test
    void compactionSurvivesARestart() {
        try (SqliteStore store = SqliteStore.open(config())) {
            for (int i = 0; i < 10; i++) {
                store.create(vm("default", "vm" + i), json("vm" + i));
            }
            store.compact();
        }
        try (SqliteStore store = SqliteStore.open(config())) {
            assertEquals(7, store.oldestWatchableResourceVersion());
            assertEquals(3, store.retainedEvents());
            assertThrows(StoreException.Expired.class,
                    () -> store.watch(KeyPrefix.of("kubevirt.io", "virtualmachines"), 6, new RecordingListener()));
            assertEquals(10, store.currentResourceVersion());
            assertEquals(11, store.create(vm("default", "next"), json("next")).resourceVersion());
        }
    }

    @Test
    void aFileThatIsNotAStoreIsRefused() throws Exception {
        Path garbage = dir.resolve("garbage.db");
        java.nio.file.Files.writeString(garbage, "this is not a database ".repeat(100));
        assertThrows(StoreException.StorageFailure.class, () -> SqliteStore.open(StoreConfig.defaults(garbage)));
    }

    @Test
    void resourceVersionsStopBelowTwoToTheThirtyFirst() throws Exception {
        try (SqliteStore store = SqliteStore.open(config())) {
            store.create(vm("default", "seed"), json("seed"));
        }
        // Pretend 2^31 - 3 writes happened: the store resumes after the newest logged event.
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + config().database());
             java.sql.Statement s = db.createStatement()) {
            s.executeUpdate("UPDATE events SET rv = " + (Integer.MAX_VALUE - 2));
        }
        try (SqliteStore store = SqliteStore.open(config())) {
            assertEquals(Integer.MAX_VALUE - 2, store.currentResourceVersion());
            assertEquals(Integer.MAX_VALUE - 1, store.create(vm("default", "a"), json("a")).resourceVersion());
            StoredObject last = store.create(vm("default", "b"), json("b"));
            assertEquals(Integer.MAX_VALUE, last.resourceVersion());
            assertEquals(String.valueOf(Integer.MAX_VALUE), TestObjects.resourceVersionIn(last));
            assertThrows(StoreException.StorageFailure.class, () -> store.create(vm("default", "c"), json("c")));
            assertEquals(Integer.MAX_VALUE, store.currentResourceVersion());
            assertEquals(java.util.Optional.empty(), store.get(vm("default", "c")));
        }
    }
}
