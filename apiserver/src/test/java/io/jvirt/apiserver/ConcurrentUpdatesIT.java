package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Optimistic concurrency over HTTPS: 8 threads each add 1 to a counter annotation 100 times by GET
 * then PUT with the read resourceVersion, retrying on 409. Exactly one of two writers from the same
 * resourceVersion wins, so nothing is lost: the counter ends at 800 and there were conflicts.
 */
class ConcurrentUpdatesIT {
    @Test
    void eightThreadsTimesHundredIncrements() throws Exception {
        try (RunningServer server = RunningServer.start()) {
            Http http = Http.admin(server);
            String path = "/api/v1/namespaces/default/configmaps/counter";
            assertEquals(201, http.post("/api/v1/namespaces/default/configmaps",
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"counter\",\"annotations\":{\"count\":\"0\"}}}").code());
            AtomicInteger conflicts = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            while (true) {
                                ObjectNode cm = (ObjectNode) http.get(path).body();
                                int n = Integer.parseInt(cm.path("metadata").path("annotations").path("count").asText());
                                ((ObjectNode) cm.path("metadata").path("annotations")).put("count", Integer.toString(n + 1));
                                Http.Reply r = http.put(path, cm.toString());
                                if (r.code() == 200) break;
                                assertEquals(409, r.code(), r.raw());
                                assertEquals("Conflict", r.body().path("reason").asText());
                                conflicts.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get(5, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            assertEquals("800", http.get(path).body().path("metadata").path("annotations").path("count").asText());
            assertTrue(conflicts.get() > 0, "8 concurrent writers must have collided at least once");
        }
    }

    /** Merge patches without a resourceVersion never fail on a racing write: the server retries them. */
    @Test
    void racingMergePatchesWithoutResourceVersionAllApply() throws Exception {
        try (RunningServer server = RunningServer.start()) {
            Http http = Http.admin(server);
            String path = "/api/v1/namespaces/default/configmaps/patched";
            assertEquals(201, http.post("/api/v1/namespaces/default/configmaps",
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"patched\"}}").code());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            Http.Reply r = http.patch(path, "application/merge-patch+json",
                                    "{\"metadata\":{\"annotations\":{\"t" + thread + "-" + i + "\":\"x\"}}}");
                            assertEquals(200, r.code(), r.raw());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get(5, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(200, http.get(path).body().path("metadata").path("annotations").size());
        }
    }
}
