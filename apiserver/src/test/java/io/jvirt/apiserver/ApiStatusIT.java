package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Status codes, reasons and field paths of the real server over HTTPS (HTTP/2), for bad and good requests. */
class ApiStatusIT {
    static RunningServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        http = Http.admin(server);
        var r = http.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/yaml", FooCrd.YAML, null);
        assertEquals(201, r.code(), r.raw());
        assertEquals(201, http.post(FooCrd.FOOS, FooCrd.foo("existing", "{\"size\":2}")).code());
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    static Stream<Arguments> badRequests() {
        String big = "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Foo\",\"metadata\":{\"name\":\"big\"},\"spec\":{\"free\":{\"x\":\""
                + "a".repeat(3 * 1024 * 1024) + "\"}}}";
        return Stream.of(
                Arguments.of("malformed JSON", "POST", FooCrd.FOOS, "application/json", "{\"metadata\":", 400, "BadRequest", null),
                Arguments.of("malformed YAML", "POST", FooCrd.FOOS, "application/yaml", "a: [b\n", 400, "BadRequest", null),
                Arguments.of("array body", "POST", FooCrd.FOOS, "application/json", "[1,2]", 400, "BadRequest", null),
                Arguments.of("empty body", "POST", FooCrd.FOOS, "application/json", "", 400, "BadRequest", null),
                Arguments.of("duplicate JSON key", "POST", FooCrd.FOOS, "application/json", "{\"kind\":\"Foo\",\"kind\":\"Foo\"}", 400, "BadRequest", null),
                Arguments.of("kind mismatch", "POST", FooCrd.FOOS, "application/json", "{\"kind\":\"Bar\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest", null),
                Arguments.of("unknown resource", "GET", "/apis/example.com/v1/namespaces/default/bars", null, null, 404, "NotFound", null),
                Arguments.of("openapi v2", "GET", "/openapi/v2", null, null, 404, "NotFound", null),
                Arguments.of("openapi v3 unknown group", "GET", "/openapi/v3/apis/nothere.io/v1", null, null, 404, "NotFound", null),
                Arguments.of("unknown group", "GET", "/apis/nothere.io/v1/things", null, null, 404, "NotFound", null),
                Arguments.of("missing object", "GET", FooCrd.FOOS + "/nope", null, null, 404, "NotFound", null),
                Arguments.of("missing namespace", "POST", "/apis/example.com/v1/namespaces/ghost/foos", "application/json", FooCrd.foo("g", "{}"), 404, "NotFound", null),
                Arguments.of("already exists", "POST", FooCrd.FOOS, "application/json", FooCrd.foo("existing", "{}"), 409, "AlreadyExists", null),
                Arguments.of("text/plain body", "POST", FooCrd.FOOS, "text/plain", "hello", 415, "UnsupportedMediaType", null),
                Arguments.of("strategic merge on a CR", "PATCH", FooCrd.FOOS + "/existing", "application/strategic-merge-patch+json", "{}", 415, "UnsupportedMediaType", null),
                Arguments.of("unknown patch type", "PATCH", FooCrd.FOOS + "/existing", "application/xml", "<a/>", 415, "UnsupportedMediaType", null),
                Arguments.of("malformed merge patch", "PATCH", FooCrd.FOOS + "/existing", "application/merge-patch+json", "{", 400, "BadRequest", null),
                Arguments.of("JSON patch on missing path", "PATCH", FooCrd.FOOS + "/existing", "application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"/spec/nothing\"}]", 422, "Invalid", null),
                Arguments.of("strict unknown field", "POST", FooCrd.FOOS + "?fieldValidation=Strict", "application/json", FooCrd.foo("s", "{\"unknown\":1}"), 400, "BadRequest", "spec.unknown"),
                Arguments.of("wrong type", "POST", FooCrd.FOOS, "application/json", FooCrd.foo("t", "{\"size\":\"x\"}"), 422, "Invalid", "spec.size"),
                Arguments.of("enum", "POST", FooCrd.FOOS, "application/json", FooCrd.foo("e", "{\"mode\":\"c\"}"), 422, "Invalid", "spec.mode"),
                Arguments.of("bad name", "POST", FooCrd.FOOS, "application/json", FooCrd.foo("Bad_Name", "{}"), 422, "Invalid", "metadata.name"),
                Arguments.of("update without resourceVersion", "PUT", FooCrd.FOOS + "/existing", "application/json", FooCrd.foo("existing", "{}"), 422, "Invalid", "metadata.resourceVersion"),
                Arguments.of("bad dryRun", "POST", FooCrd.FOOS + "?dryRun=Some", "application/json", FooCrd.foo("d", "{}"), 400, "BadRequest", null),
                Arguments.of("bad label selector", "GET", FooCrd.FOOS + "?labelSelector=a%20in%20b", null, null, 400, "BadRequest", null),
                Arguments.of("bad continue token", "GET", FooCrd.FOOS + "?limit=1&continue=garbage", null, null, 400, "BadRequest", null),
                Arguments.of("bad limit", "GET", FooCrd.FOOS + "?limit=many", null, null, 400, "BadRequest", null),
                Arguments.of("bad watch resourceVersion", "GET", FooCrd.FOOS + "?watch=true&resourceVersion=abc", null, null, 400, "BadRequest", null),
                Arguments.of("malformed delete options", "DELETE", FooCrd.FOOS + "/existing", "application/json", "{bad", 400, "BadRequest", null),
                Arguments.of("unknown subresource", "GET", FooCrd.FOOS + "/existing/bogus", null, null, 404, "NotFound", null),
                Arguments.of("PUT on a collection", "PUT", FooCrd.FOOS, "application/json", "{}", 405, "MethodNotAllowed", null),
                Arguments.of("body above 3 MiB", "POST", FooCrd.FOOS, "application/json", big, 413, "RequestEntityTooLarge", null),
                Arguments.of("POST on an item", "POST", FooCrd.FOOS + "/existing", "application/json", "{}", 405, "MethodNotAllowed", null));
    }

    @ParameterizedTest(name = "{0} -> {5} {6}")
    @MethodSource("badRequests")
    void badRequestsGetStatus(String what, String method, String path, String contentType, String body, int code,
                              String reason, String causeField) throws Exception {
        Http.Reply r = http.send(method, path, contentType, body, null);
        assertEquals(code, r.code(), r.raw());
        assertEquals("Status", r.body().path("kind").asText(), r.raw());
        assertEquals("Failure", r.body().path("status").asText());
        assertEquals(reason, r.body().path("reason").asText(), r.raw());
        assertEquals(code, r.body().path("code").asInt());
        if (causeField != null) {
            List<String> fields = new ArrayList<>();
            r.body().path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
            assertTrue(fields.contains(causeField), "causes " + fields + " in " + r.raw());
        }
    }

    @Test
    void malformedUrlOverHttp11IsBadRequest() throws Exception {
        try (var socket = http.client.sslContext().getSocketFactory().createSocket("127.0.0.1", server.port)) {
            socket.getOutputStream().write(("GET " + FooCrd.FOOS + "?labelSelector=%zz HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + server.adminToken() + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 400 "), response);
            assertTrue(response.contains("\"reason\":\"BadRequest\""), response);
        }
    }

    @Test
    void staleResourceVersionConflicts() throws Exception {
        JsonNode created = http.post(FooCrd.FOOS, FooCrd.foo("cas", "{\"size\":1}")).body();
        String rv = created.path("metadata").path("resourceVersion").asText();
        String first = created.toString().replace("\"size\":1", "\"size\":2");
        assertEquals(200, http.put(FooCrd.FOOS + "/cas", first).code());
        Http.Reply second = http.put(FooCrd.FOOS + "/cas", first.replace("\"size\":2", "\"size\":3"));
        assertEquals(409, second.code());
        assertEquals("Conflict", second.body().path("reason").asText());
        assertTrue(second.body().path("message").asText().contains("the object has been modified"), second.raw());
        assertEquals(2, http.get(FooCrd.FOOS + "/cas").body().path("spec").path("size").asInt());
        assertFalse(rv.isEmpty());
    }

    @Test
    void defaultsPruningWarningsAndGeneration() throws Exception {
        Http.Reply r = http.post(FooCrd.FOOS, FooCrd.foo("gen", "{\"mode\":\"a\",\"extra\":true,\"free\":{\"kept\":1}}"));
        assertEquals(201, r.code(), r.raw());
        assertEquals(1, r.body().path("spec").path("size").asInt(), "default applied");
        assertFalse(r.body().path("spec").has("extra"), "unknown field pruned");
        assertEquals(1, r.body().path("spec").path("free").path("kept").asInt(), "preserved field kept");
        assertTrue(r.response().headers().allValues("Warning").stream().anyMatch(w -> w.contains("unknown field \\\"spec.extra\\\"")),
                r.response().headers().map().toString());
        assertEquals(1, r.body().path("metadata").path("generation").asInt());
        assertFalse(r.body().path("metadata").path("uid").asText().isEmpty());
        assertFalse(r.body().path("metadata").path("creationTimestamp").asText().isEmpty());
        http.patch(FooCrd.FOOS + "/gen/status", "application/merge-patch+json", "{\"status\":{\"phase\":\"Running\"}}");
        JsonNode afterStatus = http.get(FooCrd.FOOS + "/gen").body();
        assertEquals("Running", afterStatus.path("status").path("phase").asText());
        assertEquals(1, afterStatus.path("metadata").path("generation").asInt(), "status does not bump generation");
        http.patch(FooCrd.FOOS + "/gen", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"status\":{\"phase\":\"Ignored\"}}");
        JsonNode afterMeta = http.get(FooCrd.FOOS + "/gen").body();
        assertEquals(1, afterMeta.path("metadata").path("generation").asInt(), "metadata does not bump generation");
        assertEquals("Running", afterMeta.path("status").path("phase").asText(), "main resource ignores status");
        http.patch(FooCrd.FOOS + "/gen", "application/merge-patch+json", "{\"spec\":{\"size\":5}}");
        assertEquals(2, http.get(FooCrd.FOOS + "/gen").body().path("metadata").path("generation").asInt(), "spec bumps generation");
    }

    @Test
    void dryRunDoesNotPersist() throws Exception {
        Http.Reply r = http.post(FooCrd.FOOS + "?dryRun=All", FooCrd.foo("dry", "{}"));
        assertEquals(201, r.code(), r.raw());
        assertEquals(404, http.get(FooCrd.FOOS + "/dry").code());
        assertEquals(200, http.delete(FooCrd.FOOS + "/existing?dryRun=All", null).code());
        assertEquals(200, http.get(FooCrd.FOOS + "/existing").code());
    }

    @Test
    void finalizersKeepAnObjectUntilRemoved() throws Exception {
        http.post(FooCrd.FOOS, "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Foo\",\"metadata\":{\"name\":\"fin\",\"finalizers\":[\"example.com/hold\"]}}");
        Http.Reply del = http.delete(FooCrd.FOOS + "/fin", "{\"propagationPolicy\":\"Background\"}");
        assertEquals(200, del.code(), del.raw());
        JsonNode held = http.get(FooCrd.FOOS + "/fin").body();
        assertFalse(held.path("metadata").path("deletionTimestamp").asText().isEmpty(), held.toString());
        Http.Reply add = http.patch(FooCrd.FOOS + "/fin", "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":[\"example.com/hold\",\"example.com/more\"]}}");
        assertEquals(422, add.code(), add.raw());
        assertEquals("metadata.finalizers", add.body().path("details").path("causes").get(0).path("field").asText());
        assertEquals(200, http.patch(FooCrd.FOOS + "/fin", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}").code());
        assertEquals(404, http.get(FooCrd.FOOS + "/fin").code());
    }

    static Stream<Arguments> owners() {
        // the owner as the dependent names it: which uid, and whether the dependent must survive
        return Stream.of(Arguments.of("the live owner's uid", true, true),
                Arguments.of("a uid no object has", false, false),
                Arguments.of("an unserved kind", true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("owners")
    void aDependentCreatedWithoutAnyLiveOwnerIsCollected(String owner, boolean liveUid, boolean survives) throws Exception {
        String name = "dangling-" + Integer.toHexString(owner.hashCode());
        JsonNode o = http.post(FooCrd.FOOS, FooCrd.foo(name, "{}")).body();
        String uid = liveUid ? o.path("metadata").path("uid").asText() : "00000000-0000-0000-0000-000000000000";
        String kind = owner.contains("unserved") ? "Bar" : "Foo";
        String cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"ownerReferences\":[{\"apiVersion\":\"example.com/v1\",\"kind\":\""
                + kind + "\",\"name\":\"" + name + "\",\"uid\":\"" + uid + "\"}]}}";
        assertEquals(201, http.post("/api/v1/namespaces/default/configmaps", cm).code());
        server.server.drainGarbageCollector();
        assertEquals(survives ? 200 : 404, http.get("/api/v1/namespaces/default/configmaps/" + name).code(), owner);
    }

    static Stream<Arguments> propagation() {
        return Stream.of(Arguments.of("Background", false), Arguments.of("Foreground", false), Arguments.of("Orphan", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("propagation")
    void ownerReferencesGarbageCollection(String policy, boolean dependentSurvives) throws Exception {
        String owner = "owner-" + policy.toLowerCase();
        JsonNode o = http.post(FooCrd.FOOS, FooCrd.foo(owner, "{}")).body();
        String uid = o.path("metadata").path("uid").asText();
        String cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dep-" + owner + "\",\"ownerReferences\":[{\"apiVersion\":\"example.com/v1\",\"kind\":\"Foo\",\"name\":\""
                + owner + "\",\"uid\":\"" + uid + "\",\"blockOwnerDeletion\":true}]}}";
        assertEquals(201, http.post("/api/v1/namespaces/default/configmaps", cm).code());
        assertTrue(http.delete(FooCrd.FOOS + "/" + owner, "{\"propagationPolicy\":\"" + policy + "\"}").code() < 300);
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            server.server.drainGarbageCollector();
            if (http.get(FooCrd.FOOS + "/" + owner).code() == 404) break;
            Thread.sleep(100);
        }
        server.server.drainGarbageCollector();
        assertEquals(404, http.get(FooCrd.FOOS + "/" + owner).code(), "owner gone");
        Http.Reply dep = http.get("/api/v1/namespaces/default/configmaps/dep-" + owner);
        assertEquals(dependentSurvives ? 200 : 404, dep.code(), dep.raw());
        if (dependentSurvives) assertTrue(dep.body().path("metadata").path("ownerReferences").isEmpty(), dep.raw());
    }

    @Test
    void selectorsAndPaging() throws Exception {
        // only the control plane creates pods bound to a node, only the scheduler binds them (LauncherPodRestriction, RBAC)
        Http controller = new Http(server.url(), server.server.pki().caCert(),
                server.server.tokens().ensure(io.jvirt.api.auth.ComponentIdentity.CONTROLLER.userName(), List.of()));
        Http scheduler = new Http(server.url(), server.server.pki().caCert(),
                server.server.tokens().ensure(io.jvirt.api.auth.ComponentIdentity.SCHEDULER.userName(), List.of()));
        for (int i = 0; i < 5; i++) {
            String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p" + i + "\",\"labels\":{\"tier\":\"" + (i % 2 == 0 ? "even" : "odd")
                    + "\"}},\"spec\":{\"nodeName\":\"n" + (i % 2) + "\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}";
            assertEquals(201, controller.post("/api/v1/namespaces/default/pods", pod).code());
        }
        assertEquals(3, http.get("/api/v1/namespaces/default/pods?labelSelector=tier%3Deven").body().path("items").size());
        assertEquals(2, http.get("/api/v1/namespaces/default/pods?labelSelector=tier%20notin%20(even)").body().path("items").size());
        assertEquals(2, http.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1").body().path("items").size());
        assertEquals(1, http.get("/api/v1/pods?fieldSelector=metadata.name%3Dp3,metadata.namespace%3Ddefault").body().path("items").size());
        List<String> names = new ArrayList<>();
        String cont = "";
        int pages = 0;
        do {
            JsonNode page = http.get("/api/v1/namespaces/default/pods?limit=2" + (cont.isEmpty() ? "" : "&continue=" + cont)).body();
            page.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
            cont = page.path("metadata").path("continue").asText("");
            pages++;
        } while (!cont.isEmpty());
        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), names);
        assertEquals(3, pages);
        String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p0\"},\"target\":{\"kind\":\"Node\",\"name\":\"node9\"}}";
        Http.Reply unbound = http.post("/api/v1/namespaces/default/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"unbound\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
        assertEquals(201, unbound.code());
        assertEquals(403, http.post("/api/v1/namespaces/default/pods/unbound/binding", binding).code(), "the admin is not the scheduler");
        assertEquals(201, scheduler.post("/api/v1/namespaces/default/pods/unbound/binding", binding).code());
        assertEquals("node9", http.get("/api/v1/namespaces/default/pods/unbound").body().path("spec").path("nodeName").asText());
        assertEquals(409, scheduler.post("/api/v1/namespaces/default/pods/unbound/binding", binding).code(), "a bound pod cannot be bound again");
    }

    @Test
    void tableOutputWithPriorities() throws Exception {
        http.patch(FooCrd.FOOS + "/existing/status", "application/merge-patch+json",
                "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
        Http.Reply r = http.send("GET", FooCrd.FOOS + "/existing", null, null,
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        assertEquals("application/json;as=Table;v=v1;g=meta.k8s.io", r.contentType());
        List<String> cols = new ArrayList<>();
        r.body().path("columnDefinitions").forEach(c -> cols.add(c.path("name").asText() + ":" + c.path("priority").asInt()));
        assertEquals(List.of("Name:0", "Age:0", "Phase:0", "Ready:0", "Size:1"), cols);
        JsonNode row = r.body().path("rows").get(0);
        assertEquals("existing", row.path("cells").get(0).asText());
        assertEquals("Running", row.path("cells").get(2).asText());
        assertEquals("True", row.path("cells").get(3).asText());
        assertEquals(2, row.path("cells").get(4).asInt());
        assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
    }

    @Test
    void discoveryAndOpenApi() throws Exception {
        Http.Reply agg = http.send("GET", "/apis", null, null,
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        assertEquals("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", agg.contentType());
        assertTrue(agg.raw().contains("\"resource\":\"foos\""), agg.raw());
        Http.Reply legacy = http.get("/apis");
        assertEquals("APIGroupList", legacy.body().path("kind").asText());
        assertEquals("APIResourceList", http.get("/apis/example.com/v1").body().path("kind").asText());
        assertEquals("APIResourceList", http.get("/api/v1").body().path("kind").asText());
        JsonNode index = http.get("/openapi/v3").body();
        String url = index.path("paths").path("apis/example.com/v1").path("serverRelativeURL").asText();
        assertTrue(url.startsWith("/openapi/v3/apis/example.com/v1?hash="), index.toString());
        JsonNode doc = http.get(url).body();
        JsonNode patch = doc.path("paths").path("/apis/example.com/v1/namespaces/{namespace}/foos/{name}").path("patch");
        assertEquals("Foo", patch.path("x-kubernetes-group-version-kind").path("kind").asText(), doc.toString());
        assertTrue(patch.path("parameters").toString().contains("fieldValidation"));
        Http.Reply version = http.get("/version");
        assertEquals("32", version.body().path("minor").asText());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, version.response().version(), "ALPN negotiates HTTP/2");
    }

    @Test
    void authenticationAndRoles() throws Exception {
        Http anonymous = http.withToken(null);
        Http.Reply r = anonymous.get(FooCrd.FOOS);
        assertEquals(401, r.code());
        assertEquals("Unauthorized", r.body().path("reason").asText());
        assertEquals(401, http.withToken("wrong").get("/api").code());
        assertEquals(200, anonymous.get("/readyz").code());
        assertEquals(200, anonymous.get("/healthz").code());
        assertEquals(200, anonymous.get("/livez").code());
        String viewToken = server.server.addUser("viewer", "view", null);
        Http viewer = http.withToken(viewToken);
        assertEquals(200, viewer.get("/api/v1/namespaces/default/configmaps").code());
        assertEquals(403, viewer.get(FooCrd.FOOS).code(), "view grants no custom resources no role names (as in Kubernetes)");
        Http.Reply denied = viewer.post(FooCrd.FOOS, FooCrd.foo("v", "{}"));
        assertEquals(403, denied.code());
        assertEquals("Forbidden", denied.body().path("reason").asText());
        assertEquals(403, viewer.delete(FooCrd.FOOS + "/existing", null).code());
        String editToken = server.server.addUser("editor", "edit", null);
        Http editor = http.withToken(editToken);
        assertEquals(201, editor.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"by-editor\"}}").code());
        assertEquals(403, editor.post(FooCrd.FOOS, FooCrd.foo("by-editor", "{}")).code(), "edit grants no custom resources it does not name");
        assertEquals(403, editor.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"x\"}}").code());
    }

    @Test
    void clusterScopedCrdIsServedAndRemovedWithItsObjects() throws Exception {
        String crd = FooCrd.YAML.replace("foos", "bazs").replace("Foo", "Baz").replace("singular: foo", "singular: baz")
                .replace("shortNames: [fo]", "shortNames: [bz]").replace("scope: Namespaced", "scope: Cluster");
        assertEquals(201, http.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/yaml", crd, null).code());
        Http.Reply created = http.post("/apis/example.com/v1/bazs", "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Baz\",\"metadata\":{\"name\":\"one\"}}");
        assertEquals(201, created.code(), created.raw());
        assertTrue(created.body().path("metadata").path("namespace").isMissingNode());
        assertEquals(404, http.get("/apis/example.com/v1/namespaces/default/bazs").code());
        assertTrue(http.get("/apis/example.com/v1").raw().contains("\"name\":\"bazs\""));
        JsonNode crdObject = http.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bazs.example.com").body();
        assertEquals("True", crdObject.path("status").path("conditions").get(1).path("status").asText(), crdObject.toString());
        assertEquals(200, http.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bazs.example.com", null).code());
        assertEquals(404, http.get("/apis/example.com/v1/bazs").code());
        assertTrue(!http.get("/apis/example.com/v1").raw().contains("\"name\":\"bazs\""));
        assertEquals(201, http.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/yaml", crd, null).code());
        server.server.drainGarbageCollector();
        assertEquals(0, http.get("/apis/example.com/v1/bazs").body().path("items").size(), "objects of a deleted CRD do not come back");
    }

    @Test
    void scaleSubresource() throws Exception {
        http.post(FooCrd.FOOS, FooCrd.foo("scaled", "{\"size\":2}"));
        JsonNode scale = http.get(FooCrd.FOOS + "/scaled/scale").body();
        assertEquals("Scale", scale.path("kind").asText());
        assertEquals(2, scale.path("spec").path("replicas").asInt());
        assertEquals(200, http.patch(FooCrd.FOOS + "/scaled/scale", "application/merge-patch+json", "{\"spec\":{\"replicas\":4}}").code());
        assertEquals(4, http.get(FooCrd.FOOS + "/scaled").body().path("spec").path("size").asInt());
    }
}
