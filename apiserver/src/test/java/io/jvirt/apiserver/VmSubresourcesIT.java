package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code subresources.kubevirt.io/v1} on the real server with the stock kubectl: discovery, VM
 * start/stop/restart writing the VM the way the VM controller reads it, KubeVirt's 409 messages, 404,
 * and 403 for the view role. (The VMI a running VM has is the controller's business; here the VMs
 * have none, so these tests cover the VM object side only.)
 */
class VmSubresourcesIT {
    private static final String SUB = "/apis/subresources.kubevirt.io/v1/namespaces/default/";
    private static final String VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines/";
    static RunningServer server;
    static Kubectl kubectl;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(server.dir.resolve("kubectl-cache")));
        http = Http.admin(server);
        Kubectl.Result applied = kubectl.run("apply", "-f", KubectlIT.EXAMPLES.resolve("vm-cirros.yaml").toString());
        assertEquals(0, applied.exit(), applied.all());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void discoveryListsTheGroupAndItsSubresources() throws Exception {
        JsonNode groups = http.get("/apis").body();
        assertTrue(groups.toString().contains("\"name\":\"subresources.kubevirt.io\""), groups.toString());
        JsonNode list = http.get("/apis/subresources.kubevirt.io/v1").body();
        assertEquals("APIResourceList", list.path("kind").asText());
        for (String r : new String[] {"virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart",
                "virtualmachineinstances/pause", "virtualmachineinstances/console", "virtualmachineinstances/vnc",
                "virtualmachineinstances/portforward", "virtualmachines/portforward"}) {
            assertTrue(list.toString().contains("\"name\":\"" + r + "\""), r + " missing in " + list);
        }
        Kubectl.Result raw = kubectl.run("get", "--raw", "/apis/subresources.kubevirt.io/v1");
        assertEquals(0, raw.exit(), raw.all());
        assertTrue(raw.out().contains("virtualmachineinstances/vnc"), raw.all());

        JsonNode aggregated = http.send("GET", "/apis", null, null, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").body();
        JsonNode item = null;
        for (JsonNode i : aggregated.path("items")) {
            if (i.path("metadata").path("name").asText().equals("subresources.kubevirt.io")) item = i;
        }
        assertTrue(item != null, "aggregated discovery lists subresources.kubevirt.io: " + aggregated);
        assertTrue(item.toString().contains("\"subresource\":\"console\"") && item.toString().contains("\"subresource\":\"start\""), item.toString());
        Kubectl.Result resources = kubectl.run("api-resources");
        assertEquals(0, resources.exit(), resources.all());
        assertTrue(resources.out().contains("virtualmachines"), resources.all());
    }

    @Test
    void haltedVmStartsStopsAndRefusesWhatKubeVirtRefuses() throws Exception {
        Path empty = Files.writeString(server.dir.resolve("empty.json"), "");
        Kubectl.Result start = kubectl.run("replace", "--raw", SUB + "virtualmachines/vm-cirros/start", "-f", empty.toString());
        assertEquals(0, start.exit(), start.all());
        assertEquals("Always", http.get(VMS + "vm-cirros").body().path("spec").path("runStrategy").asText());

        Http.Reply again = http.put(SUB + "virtualmachines/vm-cirros/start", "{}");
        assertEquals(409, again.code(), again.raw());
        assertTrue(again.body().path("message").asText().endsWith("Always does not support manual start requests"), again.raw());

        assertEquals(202, http.put(SUB + "virtualmachines/vm-cirros/stop", null).code());
        assertEquals("Halted", http.get(VMS + "vm-cirros").body().path("spec").path("runStrategy").asText());
        Http.Reply stopAgain = http.put(SUB + "virtualmachines/vm-cirros/stop", null);
        assertEquals(409, stopAgain.code(), stopAgain.raw());
        assertEquals("Conflict", stopAgain.body().path("reason").asText());
        assertTrue(stopAgain.body().path("message").asText().endsWith("VM is not running"), stopAgain.raw());

        Kubectl.Result restart = kubectl.run("replace", "--raw", SUB + "virtualmachines/vm-cirros/restart", "-f", empty.toString());
        assertNotEquals(0, restart.exit());
        assertTrue(restart.all().contains("RunStategy Halted does not support manual restart requests"), restart.all());

        Http.Reply dry = http.put(SUB + "virtualmachines/vm-cirros/start", "{\"dryRun\":[\"All\"]}");
        assertEquals(202, dry.code(), dry.raw());
        assertEquals("Halted", http.get(VMS + "vm-cirros").body().path("spec").path("runStrategy").asText());
    }

    @Test
    void manualVmGetsStateChangeRequests() throws Exception {
        String vm = Files.readString(KubectlIT.EXAMPLES.resolve("vm-cirros.yaml"))
                .replace("name: vm-cirros", "name: vm-manual").replace("runStrategy: Halted", "runStrategy: Manual");
        Kubectl.Result created = kubectl.run(60, vm, "create", "-f", "-");
        assertEquals(0, created.exit(), created.all());
        assertEquals(202, http.put(SUB + "virtualmachines/vm-manual/start", "{\"paused\":true}").code());
        JsonNode requests = http.get(VMS + "vm-manual").body().path("status").path("stateChangeRequests");
        assertEquals(1, requests.size(), requests.toString());
        assertEquals("Start", requests.get(0).path("action").asText());
        assertEquals("true", requests.get(0).path("data").path("startPaused").asText());
        assertEquals("Manual", http.get(VMS + "vm-manual").body().path("spec").path("runStrategy").asText());
        Http.Reply stop = http.put(SUB + "virtualmachines/vm-manual/stop", "{}");
        assertEquals(409, stop.code(), stop.raw());
    }

    /** stop's gracePeriod shortens the running VMI's grace as KubeVirt's API server does, though the user may not change a VMI spec. */
    @Test
    void stopWithGracePeriodShortensTheVmiGrace() throws Exception {
        String vm = Files.readString(KubectlIT.EXAMPLES.resolve("vm-cirros.yaml"))
                .replace("name: vm-cirros", "name: vm-grace").replace("runStrategy: Halted", "runStrategy: Always");
        Kubectl.Result created = kubectl.run(60, vm, "create", "-f", "-");
        assertEquals(0, created.exit(), created.all());
        String vmis = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";
        assertEquals(201, http.post(vmis, "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"vm-grace\"},"
                + "\"spec\":{\"terminationGracePeriodSeconds\":600,\"domain\":{\"memory\":{\"guest\":\"64Mi\"},\"devices\":{}}}}").code());
        assertEquals(422, http.patch(vmis + "/vm-grace", "application/merge-patch+json", "{\"spec\":{\"terminationGracePeriodSeconds\":0}}").code(),
                "a user may not change a VMI spec");
        Http.Reply stop = http.put(SUB + "virtualmachines/vm-grace/stop", "{\"gracePeriod\":0}");
        assertEquals(202, stop.code(), stop.raw());
        assertEquals(0, http.get(vmis + "/vm-grace").body().path("spec").path("terminationGracePeriodSeconds").asInt(-1));
        assertEquals("Halted", http.get(VMS + "vm-grace").body().path("spec").path("runStrategy").asText());
    }

    /** portforward's path is read before anything is relayed: KubeVirt's shapes, a clear 400 or 404 otherwise. */
    @ParameterizedTest(name = "GET {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        virtualmachineinstances/vm-cirros/portforward/0           | 400 | invalid port '0': must be a number between 1 and 65535
        virtualmachineinstances/vm-cirros/portforward/65536/tcp   | 400 | invalid port '65536'
        virtualmachineinstances/vm-cirros/portforward/http        | 400 | invalid port 'http'
        virtualmachineinstances/vm-cirros/portforward/22/sctp     | 400 | invalid protocol 'sctp': must be tcp or udp
        virtualmachineinstances/vm-cirros/portforward/53/udp      | 400 | port forwarding of UDP is not supported by jvirt
        virtualmachineinstances/vm-cirros/portforward             | 404 | the server could not find the requested resource
        virtualmachineinstances/vm-cirros/portforward/22/tcp/x    | 404 | the server could not find the requested resource
        pods/vm-cirros/portforward/22                             | 404 | the server could not find the requested resource
        virtualmachineinstances/nope/portforward/22               | 404 | "nope" not found
        virtualmachines/nope/portforward/22/tcp                   | 404 | "nope" not found
        virtualmachines/vm-cirros/portforward/22                  | 404 | virtualmachineinstances.kubevirt.io "vm-cirros" not found
        """)
    void portforwardRefusesBadPathsClearly(String path, int code, String message) throws Exception {
        Http.Reply r = http.get(SUB + path);
        assertEquals(code, r.code(), r.raw());
        assertTrue(r.body().path("message").asText().contains(message), r.raw());
        assertEquals("Status", r.body().path("kind").asText(), r.raw());
    }

    @Test
    void missingObjectsAre404AndViewIsForbidden() throws Exception {
        Http.Reply missing = http.put(SUB + "virtualmachines/nope/start", null);
        assertEquals(404, missing.code(), missing.raw());
        assertTrue(missing.body().path("message").asText().contains("\"nope\" not found"), missing.raw());
        assertEquals(404, http.put(SUB + "virtualmachineinstances/nope/pause", null).code());
        assertEquals(404, http.put(SUB + "virtualmachines/vm-cirros/frobnicate", null).code());
        assertEquals(405, http.get(SUB + "virtualmachines/vm-cirros/start").code());
        assertEquals(400, http.put(SUB + "virtualmachines/vm-cirros/migrate", null).code());

        Http viewer = http.withToken(server.server.addUser("viewer", "view", null));
        assertEquals(200, viewer.get(VMS + "vm-cirros").code());
        for (String[] call : new String[][] {{"PUT", "virtualmachines/vm-cirros/start"}, {"PUT", "virtualmachines/vm-cirros/stop"},
                {"GET", "virtualmachineinstances/vm-cirros/console"}, {"GET", "virtualmachineinstances/vm-cirros/vnc"},
                {"PUT", "virtualmachineinstances/vm-cirros/pause"}, {"GET", "virtualmachineinstances/vm-cirros/portforward/22"},
                {"GET", "virtualmachines/vm-cirros/portforward/22/tcp"}}) {
            Http.Reply r = viewer.send(call[0], SUB + call[1], null, null, null);
            assertEquals(403, r.code(), call[1] + ": " + r.raw());
            assertEquals("Forbidden", r.body().path("reason").asText());
        }
        assertFalse(viewer.get(SUB + "virtualmachineinstances/vm-cirros/guestosinfo").code() == 403, "kubevirt.io:view may read guestosinfo");
        Http editor = http.withToken(server.server.addUser("editor", "edit", null));
        assertFalse(editor.put(SUB + "virtualmachines/vm-cirros/restart", null).code() == 403);
    }
}
