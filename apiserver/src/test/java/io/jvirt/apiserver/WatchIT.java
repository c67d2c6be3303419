package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.store.StoreConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watch over chunked HTTP/2 and WebSocket: initial state, resume by resourceVersion, 410 ERROR event, timeout, bookmarks, Table events. */
class WatchIT {
    static final String CMS = "/api/v1/namespaces/default/configmaps";
    static RunningServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-watch-it");
        server = RunningServer.start(dir, StoreConfig.defaults(dir.resolve("objects.db")).withEventLogRetention(5).withCompactionInterval(Duration.ZERO),
                Duration.ofMillis(300));
        http = Http.admin(server);
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    static String cm(String name, String value) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"w\":\"" + name.charAt(0) + "\"}},\"data\":{\"v\":\"" + value + "\"}}";
    }

    /** The events of a chunked watch that ends by timeoutSeconds. */
    static List<JsonNode> watchLines(String query, String accept, Runnable whileOpen) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.base() + CMS + "?watch=true&" + query))
                .header("Authorization", "Bearer " + http.token());
        if (accept != null) b.header("Accept", accept);
        HttpResponse<Stream<String>> r = http.client.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        whileOpen.run();
        List<JsonNode> events = new ArrayList<>();
        try (Stream<String> lines = r.body()) {
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) events.add(Http.JSON.readTree(it.next()));
        }
        return events;
    }

    static List<String> summary(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText() + " " + e.path("object").path("metadata").path("name").asText()
                + (e.path("object").path("data").has("v") ? "=" + e.path("object").path("data").path("v").asText() : "")).toList();
    }

    @Test
    void chunkedWatchFromNowThenFromAResourceVersion() throws Exception {
        String rv = http.post(CMS, cm("a1", "1")).body().path("metadata").path("resourceVersion").asText();
        List<JsonNode> live = watchLines("labelSelector=w%3Da&timeoutSeconds=3&resourceVersion=" + rv, null, () -> {
            try {
                http.patch(CMS + "/a1", "application/merge-patch+json", "{\"data\":{\"v\":\"2\"}}");
                http.post(CMS, cm("b1", "x"));
                http.post(CMS, cm("a2", "1"));
                http.delete(CMS + "/a1", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of("MODIFIED a1=2", "ADDED a2=1", "DELETED a1=2"), summary(live));
        List<JsonNode> initial = watchLines("labelSelector=w%3Da&timeoutSeconds=1", null, () -> { });
        assertEquals(List.of("ADDED a2=1"), summary(initial));
    }

    @Test
    void compactedResourceVersionIsAnExpiredErrorEvent() throws Exception {
        long old = Long.parseLong(http.post(CMS, cm("c0", "0")).body().path("metadata").path("resourceVersion").asText());
        for (int i = 0; i < 10; i++) http.patch(CMS + "/c0", "application/merge-patch+json", "{\"data\":{\"v\":\"" + i + "\"}}");
        server.store.compact();
        List<JsonNode> events = watchLines("timeoutSeconds=5&resourceVersion=" + old, null, () -> { });
        assertEquals(1, events.size(), events.toString());
        JsonNode e = events.get(0);
        assertEquals("ERROR", e.path("type").asText());
        assertEquals("Status", e.path("object").path("kind").asText());
        assertEquals(410, e.path("object").path("code").asInt());
        assertEquals("Expired", e.path("object").path("reason").asText());
        assertTrue(e.path("object").path("message").asText().startsWith("too old resource version: " + old + " ("), e.toString());
    }

    @Test
    void bookmarksCarryTheProgressResourceVersion() throws Exception {
        String rv = http.post(CMS, cm("k1", "1")).body().path("metadata").path("resourceVersion").asText();
        List<JsonNode> events = watchLines("labelSelector=w%3Dk&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=" + rv, null, () -> { });
        assertTrue(events.size() >= 2, events.toString());
        for (JsonNode e : events) {
            assertEquals("BOOKMARK", e.path("type").asText(), e.toString());
            assertEquals("ConfigMap", e.path("object").path("kind").asText());
            assertTrue(Long.parseLong(e.path("object").path("metadata").path("resourceVersion").asText()) >= Long.parseLong(rv), e.toString());
        }
        assertEquals(List.of(), watchLines("labelSelector=w%3Dk&timeoutSeconds=1&resourceVersion=" + rv, null, () -> { }),
                "no bookmarks unless asked for");
    }

    @Test
    void objectsLeavingAndEnteringASelectorAreDeletedAndAdded() throws Exception {
        String rv = http.post(CMS, cm("m1", "1")).body().path("metadata").path("resourceVersion").asText();
        List<JsonNode> events = watchLines("labelSelector=w%3Dm&timeoutSeconds=3&resourceVersion=" + rv, null, () -> {
            try {
                http.patch(CMS + "/m1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"w\":\"x\"}}}");
                http.patch(CMS + "/m1", "application/merge-patch+json", "{\"data\":{\"v\":\"2\"}}");
                http.patch(CMS + "/m1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"w\":\"m\"}}}");
                http.patch(CMS + "/m1", "application/merge-patch+json", "{\"data\":{\"v\":\"3\"}}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of("DELETED m1=1", "ADDED m1=2", "MODIFIED m1=3"), summary(events));
    }

    @Test
    void tableWatchEventsCarryRows() throws Exception {
        http.post(CMS, cm("t1", "1"));
        List<JsonNode> events = watchLines("labelSelector=w%3Dt&timeoutSeconds=1", "application/json;as=Table;v=v1;g=meta.k8s.io", () -> { });
        assertEquals(1, events.size());
        JsonNode table = events.get(0).path("object");
        assertEquals("Table", table.path("kind").asText());
        assertEquals("t1", table.path("rows").get(0).path("cells").get(0).asText());
        assertEquals("Name", table.path("columnDefinitions").get(0).path("name").asText());
    }

    @Test
    void webSocketWatchAsFabric8DoesIt() throws Exception {
        http.post(CMS, cm("ws1", "1"));
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        WebSocket ws = http.client.newWebSocketBuilder().header("Authorization", "Bearer " + http.token())
                .buildAsync(URI.create(http.base().replace("https:", "wss:") + CMS + "?watch=true&labelSelector=w%3Dw&allowWatchBookmarks=true&timeoutSeconds=30"),
                        new WebSocket.Listener() {
                            final StringBuilder partial = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                partial.append(data);
                                if (last) {
                                    frames.add(partial.toString());
                                    partial.setLength(0);
                                }
                                socket.request(1);
                                return null;
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                                closed.complete(null);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
        try {
            assertEquals("ADDED ws1=1", summary(List.of(nextChange(frames))).get(0));
            http.patch(CMS + "/ws1", "application/merge-patch+json", "{\"data\":{\"v\":\"2\"}}");
            assertEquals("MODIFIED ws1=2", summary(List.of(nextChange(frames))).get(0));
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    /** The next frame that is not a BOOKMARK (the watch asked for bookmarks; one may come at any time). */
    private static JsonNode nextChange(BlockingQueue<String> frames) throws Exception {
        while (true) {
            String frame = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(frame, "no watch event within 10 s");
            JsonNode event = Http.JSON.readTree(frame);
            if (!"BOOKMARK".equals(event.path("type").asText())) {
                return event;
            }
        }
    }

    @Test
    void deleteCollectionBySelector() throws Exception {
        for (String n : List.of("d1", "d2", "d3")) http.post(CMS, cm(n, "1"));
        var r = http.delete(CMS + "?labelSelector=w%3Dd", "{\"propagationPolicy\":\"Background\"}");
        assertEquals(200, r.code(), r.raw());
        assertEquals(3, r.body().path("items").size());
        assertEquals(0, http.get(CMS + "?labelSelector=w%3Dd").body().path("items").size());
    }
}
