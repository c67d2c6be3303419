package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The core {@code pods/log} subresource on the real server, where no node agent is needed: what it refuses
 * before relaying (a pod on no node, a container the pod lacks, options it does not implement, a bad
 * {@code tailLines}, another method), with kube-apiserver's codes. The log itself through a real node agent
 * and launcher is handler's SubresourcesIT.
 */
class PodLogIT {
    private static final String PODS = "/api/v1/namespaces/default/pods/";
    static RunningServer server;
    static Kubectl kubectl;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(server.dir.resolve("kubectl-cache")));
        http = Http.admin(server);
        assertEquals(201, http.post("/api/v1/namespaces/default/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"unbound\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"compute\",\"image\":\"x\"}]}}").code());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "GET  | unbound/log                    | 400 | container \"compute\" in pod \"unbound\" is waiting to start",
            "GET  | unbound/log?container=compute  | 400 | is waiting to start",
            "GET  | unbound/log?container=sidecar  | 400 | container sidecar is not valid for pod unbound",
            "GET  | unbound/log?tailLines=-1       | 422 | tailLines: Invalid value: -1",
            "GET  | unbound/log?tailLines=many     | 400 | tailLines",
            "GET  | unbound/log?sinceSeconds=10    | 400 | sinceSeconds is not supported",
            "GET  | unbound/log?timestamps=true    | 400 | timestamps is not supported",
            "GET  | unbound/log?previous=true      | 400 | previous terminated container \"compute\" in pod \"unbound\" not found",
            "GET  | missing/log                    | 404 | pods \"missing\" not found",
            "POST | unbound/log                    | 405 | does not allow this method",
            "GET  | unbound/logs                   | 404 | ''",
    })
    void refusesWhatItCannotRelay(String method, String path, int code, String message) throws Exception {
        Http.Reply r = http.send(method, PODS + path, method.equals("POST") ? "application/json" : null, method.equals("POST") ? "{}" : null, null);
        assertEquals(code, r.code(), r.raw());
        assertTrue(r.body().path("message").asText().contains(message), r.raw());
        assertEquals("Status", r.body().path("kind").asText(), r.raw());
    }

    @org.junit.jupiter.api.Test
    void discoveryListsPodsLog() throws Exception {
        String list = http.get("/api/v1").raw();
        assertTrue(list.contains("{\"name\":\"pods/log\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\"]}"), list);
    }

    @org.junit.jupiter.api.Test
    void kubectlLogsSaysWhyAPodOnNoNodeHasNoLog() throws Exception {
        Kubectl.Result r = kubectl.run("logs", "unbound", "--tail=1");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("is waiting to start"), r.all());
    }
}
