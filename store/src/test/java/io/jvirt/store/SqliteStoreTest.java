package io.jvirt.store;

import static io.jvirt.store.TestObjects.annotation;
import static io.jvirt.store.TestObjects.json;
import static io.jvirt.store.TestObjects.pod;
import static io.jvirt.store.TestObjects.resourceVersionIn;
import static io.jvirt.store.TestObjects.vm;
import static io.jvirt.store.TestObjects.withAnnotation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqliteStoreTest {

    @TempDir
    Path dir;
    SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(StoreConfig.defaults(dir.resolve("store.db")).withCompactionInterval(Duration.ZERO));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void createAssignsTheNextGlobalResourceVersionAndWritesItIntoTheJson() {
        StoredObject first = store.create(vm("default", "a"), json("a"));
        StoredObject second = store.create(pod("default", "a"), json("a"));

        assertEquals(1, first.resourceVersion());
        assertEquals("1", resourceVersionIn(first));
        assertEquals(2, second.resourceVersion());
        assertEquals("2", resourceVersionIn(second));
        assertEquals(2, store.currentResourceVersion());
        assertEquals(Optional.of(first), store.get(vm("default", "a")));
    }

    @Test
    void createAddsMetadataWhenMissing() {
        StoredObject created = store.create(vm("default", "bare"), "{\"kind\":\"X\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"kind\":\"X\",\"metadata\":{\"resourceVersion\":\"1\"}}", created.jsonString());
    }

    @Test
    void createOfAnExistingKeyIsAlreadyExistsAndWritesNothing() {
        store.create(vm("default", "a"), json("a"));
        StoreException.AlreadyExists e = assertThrows(StoreException.AlreadyExists.class,
                () -> store.create(vm("default", "a"), json("a")));
        assertEquals(vm("default", "a"), e.key());
        assertEquals(1, store.currentResourceVersion());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "not json", "{\"metadata\": 3}", "{\"metadata\": []}", ""})
    void nonObjectJsonIsRejected(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> store.create(vm("default", "x"), bytes));
        assertEquals(0, store.currentResourceVersion());
    }

    @Test
    void getOfAMissingKeyIsEmpty() {
        assertEquals(Optional.empty(), store.get(vm("default", "missing")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            kubevirt.io | virtualmachines | | ns1/a,ns1/b,ns2/a
            kubevirt.io | virtualmachines | ns1 | ns1/a,ns1/b
            kubevirt.io | virtualmachines | ns2 | ns2/a
            kubevirt.io | virtualmachines | ns3 |
            '' | pods | | ns1/a
            '' | nodes | | /n1
            '' | nodes | '' | /n1
            """)
    void listSelectsByGroupResourceAndNamespace(String group, String resource, String namespace, String expected) {
        store.create(vm("ns2", "a"), json("a"));
        store.create(vm("ns1", "b"), json("b"));
        store.create(vm("ns1", "a"), json("a"));
        store.create(pod("ns1", "a"), json("a"));
        store.create(ObjectKey.cluster("", "nodes", "n1"), json("n1"));
        store.create(new ObjectKey("kubevirt.io", "virtualmachineinstances", "ns1", "a"), json("a"));

        ListResult result = store.list(new KeyPrefix(group, resource, namespace), ListOptions.ALL);

        List<String> names = result.items().stream().map(o -> o.key().namespace() + "/" + o.key().name()).toList();
        assertEquals(expected == null ? List.of() : List.of(expected.split(",")), names);
        assertEquals(6, result.resourceVersion());
        assertNull(result.continueToken());
    }

    @ParameterizedTest
    @CsvSource({"1,10", "3,4", "5,2", "9,2", "10,1", "11,1", "0,1"})
    void listPagesCoverEveryObjectOnceWithTheFirstPagesResourceVersion(int limit, int expectedPages) {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "vm-" + i;
            store.create(vm("default", name), json(name));
            created.add(name);
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListResult page = store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.page(limit, token));
            pages++;
            assertEquals(10, page.resourceVersion());
            assertTrue(limit == 0 || page.items().size() <= limit);
            page.items().forEach(o -> seen.add(o.key().name()));
            token = page.continueToken();
            store.create(pod("default", "noise-" + pages), json("noise")); // writes between pages change nothing
        } while (token != null);
        assertEquals(created, seen);
        assertEquals(expectedPages, pages);
    }

    @Test
    void listFilterSkipsItemsWithoutCountingThem() {
        for (int i = 0; i < 6; i++) {
            store.create(vm("default", "vm-" + i), json("vm-" + i, Map.of("even", String.valueOf(i % 2 == 0))));
        }
        ListOptions evens = ListOptions.page(2, null).withFilter(o -> "true".equals(annotation(o, "even")));
        ListResult first = store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), evens);
        ListResult second = store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"),
                new ListOptions(2, first.continueToken(), evens.filter()));

        assertEquals(List.of("vm-0", "vm-2"), first.items().stream().map(o -> o.key().name()).toList());
        assertEquals(List.of("vm-4"), second.items().stream().map(o -> o.key().name()).toList());
        assertNull(second.continueToken());
    }

    @ParameterizedTest
    @ValueSource(strings = {"%%%", "bm90IGEgdG9rZW4", "eDpr"})
    void malformedContinueTokensAreRejected(String token) {
        assertThrows(IllegalArgumentException.class,
                () -> store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.page(1, token)));
    }

    @Test
    void continueTokenOfAnotherResourceIsRejected() {
        store.create(pod("default", "a"), json("a"));
        store.create(pod("default", "b"), json("b"));
        String podToken = store.list(KeyPrefix.of("", "pods"), ListOptions.page(1, null)).continueToken();
        assertThrows(IllegalArgumentException.class,
                () -> store.list(KeyPrefix.of("kubevirt.io", "virtualmachines"), ListOptions.page(1, podToken)));
    }

    @Test
    void continueTokenOlderThanTheCompactedLogIsExpired() {
        SqliteStore small = SqliteStore.open(new StoreConfig(dir.resolve("small.db"), 2, Duration.ZERO, 100));
        try {
            small.create(pod("default", "a"), json("a"));
            small.create(pod("default", "b"), json("b"));
            String token = small.list(KeyPrefix.of("", "pods"), ListOptions.page(1, null)).continueToken();
            for (int i = 0; i < 5; i++) {
                small.create(pod("other", "p" + i), json("p"));
            }
            small.compact();
            StoreException.Expired e = assertThrows(StoreException.Expired.class,
                    () -> small.list(KeyPrefix.of("", "pods"), ListOptions.page(1, token)));
            assertEquals(2, e.requested());
            assertEquals(5, e.oldestAvailable());
        } finally {
            small.close();
        }
    }

    @Test
    void updateWithTheCurrentResourceVersionSucceeds() {
        StoredObject created = store.create(vm("default", "a"), json("a"));
        StoredObject updated = store.update(vm("default", "a"), withAnnotation(created, "k", "v"),
                Preconditions.resourceVersion(created.resourceVersion()));

        assertEquals(2, updated.resourceVersion());
        assertEquals("2", resourceVersionIn(updated));
        assertEquals("v", annotation(updated, "k"));
        assertEquals(Optional.of(updated), store.get(vm("default", "a")));
    }

    @Test
    void updateWithAStaleResourceVersionIsAConflictAndChangesNothing() {
        StoredObject created = store.create(vm("default", "a"), json("a"));
        StoredObject winner = store.update(vm("default", "a"), withAnnotation(created, "k", "first"),
                Preconditions.resourceVersion(1));

        StoreException.Conflict e = assertThrows(StoreException.Conflict.class,
                () -> store.update(vm("default", "a"), withAnnotation(created, "k", "second"), Preconditions.resourceVersion(1)));

        assertEquals(2, e.currentResourceVersion());
        assertEquals(Optional.of(winner), store.get(vm("default", "a")));
        assertEquals(2, store.currentResourceVersion());
    }

    @Test
    void unconditionalUpdateIgnoresTheResourceVersionInTheBody() {
        StoredObject created = store.create(vm("default", "a"), json("a"));
        store.update(vm("default", "a"), withAnnotation(created, "k", "1"), Preconditions.NONE);
        StoredObject second = store.update(vm("default", "a"), withAnnotation(created, "k", "2"), Preconditions.NONE);
        assertEquals(3, second.resourceVersion());
        assertEquals("2", annotation(second, "k"));
    }

    @Test
    void updateThatChangesNothingKeepsTheResourceVersion() {
        StoredObject created = store.create(vm("default", "a"), json("a"));
        StoredObject same = store.update(vm("default", "a"), json("a"), Preconditions.resourceVersion(1));
        assertSame(created, same);
        assertEquals(1, store.currentResourceVersion());
        assertEquals(1, store.retainedEvents());
    }

    @Test
    void updateOfAMissingObjectIsNotFound() {
        assertThrows(StoreException.NotFound.class,
                () -> store.update(vm("default", "missing"), json("missing"), Preconditions.NONE));
        assertThrows(StoreException.NotFound.class,
                () -> store.update(vm("default", "missing"), current -> current.json()));
    }

    @Test
    void mutationUpdateSeesTheCurrentObjectAndNothingWhenItThrows() {
        store.create(vm("default", "a"), json("a", Map.of("n", "41")));
        StoredObject updated = store.update(vm("default", "a"),
                current -> withAnnotation(current, "n", String.valueOf(Integer.parseInt(annotation(current, "n")) + 1)));
        assertEquals("42", annotation(updated, "n"));

        assertThrows(IllegalStateException.class, () -> store.update(vm("default", "a"), current -> {
            throw new IllegalStateException("patch failed");
        }));
        assertEquals(Optional.of(updated), store.get(vm("default", "a")));
    }

    @Test
    void deleteReturnsTheLastStateAtTheDeletionsResourceVersion() {
        store.create(vm("default", "a"), json("a", Map.of("k", "v")));
        StoredObject deleted = store.delete(vm("default", "a"), Preconditions.NONE);

        assertEquals(2, deleted.resourceVersion());
        assertEquals("2", resourceVersionIn(deleted));
        assertEquals("v", annotation(deleted, "k"));
        assertEquals(Optional.empty(), store.get(vm("default", "a")));
        assertThrows(StoreException.NotFound.class, () -> store.delete(vm("default", "a"), Preconditions.NONE));
        store.create(vm("default", "a"), json("a"));
        assertEquals(3, store.currentResourceVersion());
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", textBlock = """
            0, null,    true
            1, null,    true
            2, null,    false
            0, uid-a,   true
            0, uid-old, false
            1, uid-a,   true
            1, uid-old, false
            2, uid-a,   false
            """)
    void deletePreconditions(long resourceVersion, String uid, boolean deletes) {
        store.create(vm("default", "a"), json("a"));
        Preconditions preconditions = new Preconditions(resourceVersion, uid);
        if (deletes) {
            store.delete(vm("default", "a"), preconditions);
            assertEquals(Optional.empty(), store.get(vm("default", "a")));
        } else {
            assertThrows(StoreException.Conflict.class, () -> store.delete(vm("default", "a"), preconditions));
            assertTrue(store.get(vm("default", "a")).isPresent());
        }
    }

    @Test
    void updateChecksTheUidPrecondition() {
        StoredObject created = store.create(vm("default", "a"), json("a"));
        assertThrows(StoreException.Conflict.class,
                () -> store.update(vm("default", "a"), withAnnotation(created, "k", "v"), Preconditions.uid("uid-other")));
        StoredObject updated = store.update(vm("default", "a"), withAnnotation(created, "k", "v"), Preconditions.uid("uid-a"));
        assertEquals("v", annotation(updated, "k"));
    }

    @Test
    void databaseIsInWalModeWithFullSync() {
        assertEquals(List.of("journal_mode=wal", "synchronous=2"), store.durabilitySettings());
    }

    @Test
    void aClosedStoreRefusesEveryOperation() {
        store.create(vm("default", "a"), json("a"));
        store.close();
        assertThrows(StoreException.StorageFailure.class, () -> store.get(vm("default", "a")));
        assertThrows(StoreException.StorageFailure.class, () -> store.create(vm("default", "b"), json("b")));
        assertThrows(StoreException.StorageFailure.class, () -> store.list(KeyPrefix.of("", "pods"), ListOptions.ALL));
        assertThrows(StoreException.StorageFailure.class, () -> store.delete(vm("default", "a"), Preconditions.NONE));
        assertThrows(StoreException.StorageFailure.class,
                () -> store.watch(KeyPrefix.of("", "pods"), 0, new RecordingListener()));
        store.close(); // idempotent
    }

    @Test
    void storedJsonIsReturnedByteForByte() {
        byte[] body = "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"z\":1,\"a\":[true,null,\"ü\"]}}".getBytes(StandardCharsets.UTF_8);
        StoredObject created = store.create(vm("default", "a"), body);
        assertArrayEquals(
                "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"},\"spec\":{\"z\":1,\"a\":[true,null,\"ü\"]}}"
                        .getBytes(StandardCharsets.UTF_8),
                store.get(vm("default", "a")).orElseThrow().json());
        assertEquals(created, store.get(vm("default", "a")).orElseThrow());
    }
}
