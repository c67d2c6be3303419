package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What kube-apiserver refuses, refused by the real server over HTTPS with its code, reason, message and field path:
 * ObjectMeta rules, apiVersion/kind against the URL, core kinds' schema and rules, selectors that do not parse. Each
 * refused write leaves nothing stored; each accepted one is stored.
 */
class ValidationIT {
    static RunningServer server;
    static Http http;
    static final String PODS = "/api/v1/namespaces/default/pods";
    static final String VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        http = Http.admin(server);
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    /** A body with {@code '} for {@code "}; {@code POD(name, spec)} style placeholders are spelled out per row. */
    private static String json(String s) {
        return s.replace('\'', '"');
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        pod without apiVersion and kind | /api/v1/namespaces/default/pods           | {'metadata':{'name':'p-nokind'},'spec':{'containers':[{'name':'c','image':'i'}]}} | 201 | `` | `` | ``
        pod with a Service kind         | /api/v1/namespaces/default/pods           | {'apiVersion':'v1','kind':'Service','metadata':{'name':'p1'}} | 400 | BadRequest | Service in version "v1" cannot be handled as a Pod | ``
        pod of another apiVersion       | /api/v1/namespaces/default/pods           | {'apiVersion':'apps/v1','kind':'Pod','metadata':{'name':'p1'}} | 400 | BadRequest | the API version in the data (apps/v1) does not match the expected API version (v1) | ``
        vm without kind                 | /apis/kubevirt.io/v1/namespaces/default/virtualmachines | {'apiVersion':'kubevirt.io/v1','metadata':{'name':'vm1'}} | 400 | BadRequest | Object 'Kind' is missing in | ``
        vm without apiVersion           | /apis/kubevirt.io/v1/namespaces/default/virtualmachines | {'kind':'VirtualMachine','metadata':{'name':'vm1'}} | 400 | BadRequest | the API version in the data () does not match the expected API version (kubevirt.io/v1) | ``
        vm of an unserved version       | /apis/kubevirt.io/v1/namespaces/default/virtualmachines | {'apiVersion':'kubevirt.io/v9','kind':'VirtualMachine','metadata':{'name':'vm1'}} | 400 | BadRequest | the API version in the data (kubevirt.io/v9) does not match | ``
        vm with a VMI kind              | /apis/kubevirt.io/v1/namespaces/default/virtualmachines | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vm1'}} | 422 | Invalid | kind: Invalid value: "VirtualMachineInstance": must be VirtualMachine | kind
        namespace mismatch              | /api/v1/namespaces/default/configmaps     | {'metadata':{'name':'c','namespace':'other'}} | 400 | BadRequest | the namespace of the provided object does not match the namespace sent on the request | ``
        bad label key                   | /api/v1/namespaces/default/configmaps     | {'metadata':{'name':'c','labels':{'a b':'x'}}} | 422 | Invalid | ConfigMap "c" is invalid: metadata.labels: Invalid value: "a b": name part must consist of | metadata.labels
        bad label value                 | /api/v1/namespaces/default/configmaps     | {'metadata':{'name':'c','labels':{'a':'x y'}}} | 422 | Invalid | metadata.labels: Invalid value: "x y": a valid label must be an empty string | metadata.labels
        labels not a map                | /api/v1/namespaces/default/configmaps     | {'metadata':{'name':'c','labels':['a']}} | 400 | BadRequest | ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string | ``
        bad finalizer                   | /apis/kubevirt.io/v1/namespaces/default/virtualmachines | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachine','metadata':{'name':'vm1','finalizers':['a/b/c']}} | 422 | Invalid | metadata.finalizers: Invalid value: "a/b/c": a qualified name | metadata.finalizers
        owner without uid               | /api/v1/namespaces/default/configmaps     | {'metadata':{'name':'c','ownerReferences':[{'apiVersion':'v1','kind':'ConfigMap','name':'x'}]}} | 422 | Invalid | metadata.ownerReferences.uid: Invalid value: "": uid must not be empty | metadata.ownerReferences.uid
        bad annotation key              | /api/v1/namespaces/default/configmaps     | {'metadata':{'name':'c','annotations':{'-x':'y'}}} | 422 | Invalid | metadata.annotations: Invalid value: "-x" | metadata.annotations
        bad generateName                | /api/v1/namespaces/default/configmaps     | {'metadata':{'generateName':'Web-'}} | 422 | Invalid | metadata.generateName: Invalid value: "Web-" | metadata.generateName
        namespace with a dot            | /api/v1/namespaces                        | {'metadata':{'name':'a.b'}} | 422 | Invalid | Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots | metadata.name
        service name with a digit first | /api/v1/namespaces/default/services       | {'metadata':{'name':'1svc'},'spec':{'ports':[{'port':80}]}} | 422 | Invalid | a DNS-1035 label must consist of | metadata.name
        containers not a list           | /api/v1/namespaces/default/pods           | {'metadata':{'name':'p2'},'spec':{'containers':'not-a-list'}} | 400 | BadRequest | Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Pod.spec.containers of type array | spec.containers
        pod without containers          | /api/v1/namespaces/default/pods           | {'metadata':{'name':'p2'},'spec':{}} | 422 | Invalid | Pod "p2" is invalid: spec.containers: Required value | spec.containers
        pod with an unparsable quantity | /api/v1/namespaces/default/pods           | {'metadata':{'name':'p2'},'spec':{'containers':[{'name':'c','image':'i','resources':{'limits':{'memory':'lots'}}}]}} | 400 | BadRequest | quantities must match the regular expression | ``
        secret not base64               | /api/v1/namespaces/default/secrets        | {'metadata':{'name':'s'},'data':{'k':'not base64!'}} | 400 | BadRequest | Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3 | ``
        secret with a bad key           | /api/v1/namespaces/default/secrets        | {'metadata':{'name':'s'},'stringData':{'a b':'x'}} | 422 | Invalid | data[a b]: Invalid value: "a b": a valid config key | data[a b]
        tls secret without its key      | /api/v1/namespaces/default/secrets        | {'metadata':{'name':'s'},'type':'kubernetes.io/tls','data':{'tls.crt':'AA=='}} | 422 | Invalid | data[tls.key]: Required value | data[tls.key]
        service without ports           | /api/v1/namespaces/default/services       | {'metadata':{'name':'svc'},'spec':{'selector':{'a':'b'}}} | 422 | Invalid | spec.ports: Required value | spec.ports
        vmi with an unparsable memory   | /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-q'},'spec':{'domain':{'resources':{'requests':{'memory':'lots'}},'devices':{}},'volumes':[]}} | 422 | Invalid | spec.domain.resources.requests.memory: Invalid value: "lots": spec.domain.resources.requests.memory in body should match | spec.domain.resources.requests.memory
        vmi with a negative memory      | /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-n'},'spec':{'domain':{'resources':{'requests':{'memory':'-1Gi'}},'devices':{}},'volumes':[]}} | 422 | Invalid | admission webhook "virtualmachineinstances-create-validator.kubevirt.io" denied the request: spec.domain.resources.requests.memory '-1Gi': must be greater than or equal to 0. | spec.domain.resources.requests.memory
        vmi with cores -1               | /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-c'},'spec':{'domain':{'memory':{'guest':'64Mi'},'cpu':{'cores':-1},'devices':{}},'volumes':[]}} | 400 | BadRequest | json: cannot unmarshal number -1 into Go struct field CPU.spec.domain.cpu.cores of type uint32 | ``
        vmi with a grace of 1e308       | /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-g'},'spec':{'domain':{'memory':{'guest':'64Mi'},'devices':{}},'terminationGracePeriodSeconds':1e308}} | 422 | Invalid | spec.terminationGracePeriodSeconds in body must be of type integer | spec.terminationGracePeriodSeconds
        vmi with a hostDisk             | /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances | {'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-h'},'spec':{'domain':{'memory':{'guest':'64Mi'},'devices':{'disks':[{'name':'h'}]}},'volumes':[{'name':'h','hostDisk':{'path':'/tmp/x.img','type':'Disk'}}]}} | 422 | Invalid | HostDisk feature gate is not enabled | spec.volumes[0]
        """)
    void writes(String what, String path, String body, int code, String reason, String message, String field) throws Exception {
        Http.Reply r = http.post(path, json(body));
        assertEquals(code, r.code(), r.raw());
        if (code == 201) return;
        assertEquals(reason, r.body().path("reason").asText(), r.raw());
        assertTrue(r.body().path("message").asText().contains(message), r.raw());
        if (field != null && !field.isEmpty()) {
            List<String> fields = new ArrayList<>();
            r.body().path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
            assertTrue(fields.contains(field), "causes " + fields + " in " + r.raw());
        }
        String name = Http.JSON.readTree(json(body)).path("metadata").path("name").asText("");
        if (!name.isEmpty() && !path.endsWith("/namespaces")) assertEquals(404, http.get(path + "/" + name).code(), "nothing stored: " + what);
    }

    @Test
    void secretStringDataIsMergedIntoData() throws Exception {
        assertEquals(201, http.post("/api/v1/namespaces/default/secrets",
                json("{'metadata':{'name':'merged'},'data':{'a':'eA==','b':'eA=='},'stringData':{'b':'yes'}}")).code());
        var secret = http.get("/api/v1/namespaces/default/secrets/merged").body();
        assertEquals("eA==", secret.path("data").path("a").asText());
        assertEquals("eWVz", secret.path("data").path("b").asText());
        assertTrue(secret.path("stringData").isMissingNode(), secret.toString());
        Http.Reply typeChange = http.patch("/api/v1/namespaces/default/secrets/merged", "application/merge-patch+json",
                json("{'type':'kubernetes.io/basic-auth','data':{'username':'eA=='}}"));
        assertEquals(422, typeChange.code(), typeChange.raw());
        assertEquals("Secret \"merged\" is invalid: type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable",
                typeChange.body().path("message").asText());
    }

    @Test
    void hostDiskNeedsTheGateInTheKubeVirtCr() throws Exception {
        String vmi = json("{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-hostdisk'},'spec':{'domain':"
                + "{'memory':{'guest':'64Mi'},'devices':{'disks':[{'name':'h'}]}},'volumes':[{'name':'h','hostDisk':{'path':'/tmp/x.img','type':'Disk'}}]}}");
        String vmis = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances?dryRun=All";
        assertEquals(422, http.post(vmis, vmi).code());
        int namespace = http.post("/api/v1/namespaces", json("{'metadata':{'name':'kubevirt'}}")).code();
        assertTrue(namespace == 201 || namespace == 409, "namespace kubevirt: " + namespace);
        assertEquals(201, http.post("/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts", json("{'apiVersion':'kubevirt.io/v1','kind':'KubeVirt',"
                + "'metadata':{'name':'kubevirt'},'spec':{'configuration':{'developerConfiguration':{'featureGates':['HostDisk']}}}}")).code());
        Http.Reply allowed = http.post(vmis, vmi);
        assertEquals(201, allowed.code(), allowed.raw());
        assertEquals(200, http.delete("/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts/kubevirt", null).code());
        assertEquals(422, http.post(vmis, vmi).code(), "the gate follows the CR");
    }

    @Test
    void onlyKubeVirtChangesAVmiSpec() throws Exception {
        String path = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";
        assertEquals(201, http.post(path, json("{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance','metadata':{'name':'vmi-upd'},"
                + "'spec':{'domain':{'memory':{'guest':'64Mi'},'devices':{}}}}")).code());
        Http.Reply spec = http.patch(path + "/vmi-upd", "application/merge-patch+json", json("{'spec':{'terminationGracePeriodSeconds':5}}"));
        assertEquals(422, spec.code(), spec.raw());
        assertEquals("admission webhook \"virtualmachineinstances-update-validator.kubevirt.io\" denied the request: update of VMI object is restricted",
                spec.body().path("message").asText());
        assertEquals(200, http.patch(path + "/vmi-upd", "application/merge-patch+json", json("{'metadata':{'labels':{'mine':'yes'}}}")).code(),
                "labels of one's own stay editable");
    }

    @Test
    void updateInAnotherNamespaceIsRefused() throws Exception {
        assertEquals(201, http.post("/api/v1/namespaces/default/configmaps", json("{'metadata':{'name':'moving'}}")).code());
        Http.Reply moved = http.put("/api/v1/namespaces/default/configmaps/moving", json("{'metadata':{'name':'moving','namespace':'kube-system'}}"));
        assertEquals(400, moved.code(), moved.raw());
        assertEquals("the namespace of the provided object does not match the namespace sent on the request", moved.body().path("message").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        labelSelector=a%20in%20b          | unable to parse requirement: found 'b' expected: '('
        labelSelector=a%3D%3Db%3D         | found '=', expected: ',' or 'end of string'
        labelSelector=a%2Fb%2Fc           | unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of
        fieldSelector=metadata.name       | invalid selector: 'metadata.name'; can't understand 'metadata.name'
        fieldSelector=metadata.name%3Da%3Db | invalid field selector: unescaped character in value: 61
        """)
    void unparsableSelectorsAreBadRequests(String query, String message) throws Exception {
        for (String path : List.of(PODS, VMS, "/api/v1/pods")) {
            Http.Reply r = http.get(path + "?" + query);
            assertEquals(400, r.code(), r.raw());
            assertEquals("BadRequest", r.body().path("reason").asText());
            assertTrue(r.body().path("message").asText().startsWith(message), r.raw());
            Http.Reply watch = http.get(path + "?watch=true&" + query);
            assertEquals(400, watch.code(), watch.raw());
        }
    }
}
