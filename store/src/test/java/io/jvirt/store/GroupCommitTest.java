package io.jvirt.store;

import static io.jvirt.store.TestObjects.annotation;
import static io.jvirt.store.TestObjects.json;
import static io.jvirt.store.TestObjects.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes queued while another write holds the lock are committed together, in arrival order, each one
 * decided against the state left by the ones before it in the same batch.
 */
class GroupCommitTest {

    @TempDir
    Path dir;

    @Test
    void queuedWritesOnOneKeyAreDecidedInOrderAndCommittedInOneTransaction() throws Exception {
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("store.db")).withCompactionInterval(Duration.ZERO))) {
            ObjectKey key = vm("default", "k");
            store.create(key, json("k"));                                                   // rv 1
            long transactionsBefore = store.transactions();
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<StoredObject> blocker = CompletableFuture.supplyAsync(() -> store.update(key, current -> {
                holding.countDown();
                await(release);
                return TestObjects.withAnnotation(current, "step", "blocker");
            }));
            assertTrue(holding.await(10, TimeUnit.SECONDS));

            List<CompletableFuture<StoredObject>> queued = new ArrayList<>();
            queued.add(enqueue(store, () -> store.delete(key, Preconditions.NONE)));                              // rv 3
            queued.add(enqueue(store, () -> store.create(key, json("k", Map.of("step", "recreated")))));           // rv 4
            queued.add(enqueue(store, () -> store.create(key, json("k"))));                                        // AlreadyExists
            queued.add(enqueue(store, () -> store.update(key, json("k", Map.of("step", "cas")), Preconditions.resourceVersion(4)))); // rv 5
            queued.add(enqueue(store, () -> store.update(key, json("k", Map.of("step", "stale")), Preconditions.resourceVersion(2)))); // Conflict
            queued.add(enqueue(store, () -> store.update(key, json("k", Map.of("step", "cas")), Preconditions.NONE))); // no-op at rv 5
            release.countDown();

            assertEquals(2, blocker.get(10, TimeUnit.SECONDS).resourceVersion());
            assertEquals(3, queued.get(0).get(10, TimeUnit.SECONDS).resourceVersion());
            assertEquals(4, queued.get(1).get(10, TimeUnit.SECONDS).resourceVersion());
            assertInstanceOf(StoreException.AlreadyExists.class, failure(queued.get(2)));
            assertEquals(5, queued.get(3).get(10, TimeUnit.SECONDS).resourceVersion());
            assertInstanceOf(StoreException.Conflict.class, failure(queued.get(4)));
            assertEquals(5, queued.get(5).get(10, TimeUnit.SECONDS).resourceVersion());

            assertEquals("cas", annotation(store.get(key).orElseThrow(), "step"));
            assertEquals(5, store.currentResourceVersion());
            assertEquals(2, store.transactions() - transactionsBefore, "the blocker's transaction, then one for the whole queue");
        }
        try (SqliteStore reopened = SqliteStore.open(StoreConfig.defaults(dir.resolve("store.db")))) {
            assertEquals(5, reopened.currentResourceVersion());
            assertEquals("cas", annotation(reopened.get(vm("default", "k")).orElseThrow(), "step"));
        }
    }

    private static CompletableFuture<StoredObject> enqueue(SqliteStore store, Supplier<StoredObject> write) throws InterruptedException {
        int before = store.queuedWrites();
        CompletableFuture<StoredObject> future = CompletableFuture.supplyAsync(write, runnable -> Thread.ofPlatform().start(runnable));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.queuedWrites() == before && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(before + 1, store.queuedWrites(), "write did not queue");
        return future;
    }

    private static Throwable failure(CompletableFuture<StoredObject> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the write to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("write did not finish", e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
