package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.store.StoreConfig;
import io.jvirt.store.Tmpfs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server with its whole data directory (store, pki, tokens) on a real, small tmpfs that fills up:
 * writes answer 507 InsufficientStorage naming the cause (also as the stock kubectl shows it), nothing of them shows in lists or in a watch open
 * throughout, and once space is freed the next write succeeds without a restart; after a restart exactly
 * the acknowledged writes are there.
 */
class DiskFullApiIT {
    private static final String CMS = "/api/v1/namespaces/default/configmaps";

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void writesOnAFullDiskAnswer507AndTheNextOneAfterFreeingSpaceSucceeds() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(dir.resolve("mnt"), 8192)) {
            Path data = disk.path().resolve("jvirt");
            try (RunningServer server = RunningServer.start(data,
                    StoreConfig.defaults(data.resolve("store/objects.db")).withCompactionInterval(Duration.ZERO))) {
                Http http = Http.admin(server);
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    assertEquals(201, http.post(CMS, cm("before-" + i)).code());
                    acknowledged.add("before-" + i);
                }
                String rv = http.get(CMS).body().path("metadata").path("resourceVersion").asText();
                HttpResponse<Stream<String>> watch = http.client.send(HttpRequest.newBuilder(
                                URI.create(http.base() + CMS + "?watch=true&timeoutSeconds=120&resourceVersion=" + rv))
                        .header("Authorization", "Bearer " + http.token()).build(), HttpResponse.BodyHandlers.ofLines());
                assertEquals(200, watch.statusCode());

                Path filler = disk.fill("filler");
                for (String refused : List.of("lost-1", "lost-2")) {
                    Http.Reply full = http.post(CMS, cm(refused));
                    assertEquals(507, full.code(), full.raw());
                    assertEquals("InsufficientStorage", full.body().path("reason").asText(), full.raw());
                    assertTrue(full.body().path("message").asText().contains("database or disk is full"), full.raw());
                }
                Kubectl.Result kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("kubectl-cache")))
                        .run("create", "configmap", "lost-3", "--from-literal=v=lost");
                assertTrue(kubectl.exit() != 0 && kubectl.all().contains("database or disk is full"), "the stock kubectl: " + kubectl.all());
                Http.Reply delete = http.delete(CMS + "/before-0", null);
                assertEquals(507, delete.code(), delete.raw());
                assertEquals(acknowledged.stream().sorted().toList(), names(http), "no refused write shows in a list");
                assertEquals(rv, http.get(CMS).body().path("metadata").path("resourceVersion").asText(),
                        "the refused writes took no resourceVersion");

                Files.delete(filler);
                Http.Reply created = http.post(CMS, cm("after"));
                assertEquals(201, created.code(), "the next write after freeing space: " + created.raw());
                assertEquals(Long.parseLong(rv) + 1, created.body().path("metadata").path("resourceVersion").asLong());
                acknowledged.add("after");
                assertEquals(200, http.delete(CMS + "/before-0", null).code());
                acknowledged.remove("before-0");

                List<String> events = new ArrayList<>();
                try (Stream<String> lines = watch.body()) {
                    for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                        JsonNode event = Http.JSON.readTree(it.next());
                        events.add(event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText());
                        if (event.path("type").asText().equals("DELETED")) {
                            break;
                        }
                    }
                }
                assertEquals(List.of("ADDED after", "DELETED before-0"), events, "the watch saw no refused write");

                server.restart();
                assertEquals(acknowledged.stream().sorted().toList(), names(Http.admin(server)),
                        "after a restart: every acknowledged write, nothing else");
            }
        }
    }

    private static List<String> names(Http http) throws Exception {
        List<String> names = new ArrayList<>();
        http.get(CMS).body().path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
        return names.stream().sorted().toList();
    }

    private static String cm(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"v\":\"" + name + "\"}}";
    }
}
