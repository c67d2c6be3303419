package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the API server process during a stream of creates over HTTPS: after a restart
 * every create that was acknowledged (201) is served, with the same resourceVersion.
 */
class KillDuringApiCreatesIT {
    @Test
    void everyAcknowledgedCreateSurvivesSigkill() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-kill-it");
        Path log = dir.resolve("apiserver.log");
        Process p = ApiServerMainIT.launch(dir, log);
        try {
            String url = ApiServerMainIT.awaitReady(dir, p, log);
            String token = Files.readAllLines(dir.resolve("tokens.csv")).get(0).split(",")[0];
            Http http = new Http(url, dir.resolve("pki/ca.crt"), token);
            List<String[]> acknowledged = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                if (i == 300) p.destroyForcibly();
                String name = "cm-" + i;
                try {
                    Http.Reply r = http.post("/api/v1/namespaces/default/configmaps",
                            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"i\":\"" + i + "\"}}");
                    if (r.code() == 201) acknowledged.add(new String[] {name, r.body().path("metadata").path("resourceVersion").asText()});
                } catch (java.io.IOException e) {
                    break;
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(acknowledged.size() >= 300, "acknowledged before the kill: " + acknowledged.size());

            p = ApiServerMainIT.launch(dir, log);
            url = ApiServerMainIT.awaitReady(dir, p, log);
            Http after = new Http(url, dir.resolve("pki/ca.crt"), token);
            Set<String> served = new HashSet<>();
            after.get("/api/v1/namespaces/default/configmaps").body().path("items")
                    .forEach(i -> served.add(i.path("metadata").path("name").asText() + "@" + i.path("metadata").path("resourceVersion").asText()));
            List<String> lost = acknowledged.stream().map(a -> a[0] + "@" + a[1]).filter(a -> !served.contains(a)).toList();
            assertEquals(List.of(), lost, "acknowledged creates missing after kill -9 (" + acknowledged.size() + " acknowledged)");
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
