package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes admission with random mutations of valid KubeVirt objects (a VMI, a VM, a replica set, each like KubeVirt's
 * cirros examples) POSTed to the real server: values of the wrong type, deleted fields, huge and negative numbers, odd and
 * long strings, unicode, deep nesting. Every answer is a 201 or a 4xx Status with a reason and a message, never a 5xx
 * and never a hang; afterwards exactly the accepted objects are stored, each readable, and the server still creates
 * and watches normally. Seeded ({@code -Djvirt.fuzz.seed}, default 13) and bounded ({@code -Djvirt.fuzz.count},
 * default 400 requests): a failure names the seed, the iteration and the body, so it reproduces.
 */
class AdmissionFuzzIT {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long SEED = Long.getLong("jvirt.fuzz.seed", 13);
    private static final int COUNT = Integer.getInteger("jvirt.fuzz.count", 400);
    private static final String BASE = "/apis/kubevirt.io/v1/namespaces/default/";
    private static final Map<String, String> SEEDS = Map.of(
            "virtualmachineinstances", """
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"x","labels":{"special":"vmi"}},
                 "spec":{"domain":{"devices":{"disks":[{"name":"containerdisk","disk":{"bus":"virtio"}},{"name":"cloudinitdisk","disk":{"bus":"virtio"}}],
                   "interfaces":[{"name":"default","masquerade":{}}]},"resources":{"requests":{"memory":"128Mi","cpu":"100m"}},
                   "cpu":{"cores":1,"sockets":1,"threads":1}},
                  "networks":[{"name":"default","pod":{}}],"terminationGracePeriodSeconds":0,
                  "volumes":[{"name":"containerdisk","containerDisk":{"image":"quay.io/kubevirt/cirros-container-disk-demo"}},
                             {"name":"cloudinitdisk","cloudInitNoCloud":{"userData":"#!/bin/sh\\necho hi\\n"}}]}}""",
            "virtualmachines", """
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"x","labels":{"kubevirt.io/vm":"x"}},
                 "spec":{"runStrategy":"Halted","template":{"metadata":{"labels":{"kubevirt.io/vm":"x"}},
                  "spec":{"domain":{"devices":{"disks":[{"name":"containerdisk","disk":{"bus":"virtio"}}]},"memory":{"guest":"128Mi"}},
                   "volumes":[{"name":"containerdisk","containerDisk":{"image":"quay.io/kubevirt/cirros-container-disk-demo"}}]}}}}""",
            "virtualmachineinstancereplicasets", """
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstanceReplicaSet","metadata":{"name":"x"},
                 "spec":{"replicas":0,"selector":{"matchLabels":{"app":"rs"}},"template":{"metadata":{"labels":{"app":"rs"}},
                  "spec":{"domain":{"devices":{"disks":[{"name":"containerdisk","disk":{"bus":"virtio"}}]},"resources":{"requests":{"memory":"64M"}}},
                   "volumes":[{"name":"containerdisk","containerDisk":{"image":"quay.io/kubevirt/cirros-container-disk-demo"}}]}}}}""");
    private static final List<String> ODD_STRINGS = List.of("", " ", "\u0000", "\uD83D\uDCA5", "../../etc/passwd", "-1", "1Ei", "0.000000001m",
            "NaN", "1e308", "null", "Ünïcödé", "a".repeat(70), "x".repeat(20_000), "Halted", "virtio", "{\"a\":1}", "$(id)", "\\", "%00");
    private static final List<JsonNode> ODD_NUMBERS = List.of(NODES.numberNode(-1), NODES.numberNode(0), NODES.numberNode(4294967296L),
            NODES.numberNode(Long.MAX_VALUE), NODES.numberNode(new java.math.BigInteger("99999999999999999999999999")), NODES.numberNode(1e308),
            NODES.numberNode(-0.5), NODES.numberNode(Integer.MIN_VALUE));

    /** As the controllers' clients read objects: unknown fields kept, nothing else lenient. */
    private static final com.fasterxml.jackson.databind.ObjectMapper TYPES = new com.fasterxml.jackson.databind.ObjectMapper();
    static RunningServer server;
    static Http http;

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

    @Test
    void mutatedKubeVirtObjectsGetA201OrAClear4xx() throws Exception {
        Random random = new Random(SEED);
        Map<String, Set<String>> accepted = new java.util.TreeMap<>();
        SEEDS.keySet().forEach(plural -> accepted.put(plural, new TreeSet<>()));
        List<String> plurals = new ArrayList<>(new TreeSet<>(SEEDS.keySet()));
        Map<Integer, Integer> codes = new java.util.TreeMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < COUNT; i++) {
            String plural = plurals.get(random.nextInt(plurals.size()));
            ObjectNode object = (ObjectNode) Http.JSON.readTree(SEEDS.get(plural));
            String name = "fuzz-" + i;
            object.withObjectProperty("metadata").put("name", name);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) mutate(object, random);
            String body = Http.JSON.writeValueAsString(object);
            String where = "seed " + SEED + " iteration " + i + " POST " + plural + " " + abbreviate(body);
            Http.Reply reply = http.post(BASE + plural, body);
            codes.merge(reply.code(), 1, Integer::sum);
            assertTrue(reply.code() == 201 || reply.code() >= 400 && reply.code() < 500, where + " -> " + reply.code() + " " + reply.raw());
            if (reply.code() == 201) {
                accepted.get(plural).add(reply.body().path("metadata").path("name").asText());
                continue;
            }
            assertEquals("Status", reply.body().path("kind").asText(), where);
            assertEquals("Failure", reply.body().path("status").asText(), where);
            assertFalse(reply.body().path("reason").asText().isEmpty(), where + " -> " + reply.raw());
            assertFalse(reply.body().path("message").asText().isEmpty(), where + " -> " + reply.raw());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.getLogger(AdmissionFuzzIT.class.getName()).log(System.Logger.Level.INFO,
                "fuzz seed " + SEED + ": " + COUNT + " requests in " + Math.round(seconds) + " s, answers " + codes);
        assertTrue(codes.getOrDefault(201, 0) > 0 && codes.keySet().stream().anyMatch(c -> c >= 400),
                "the mutations should produce both accepted and refused objects: " + codes);
        List<String> unreadable = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : accepted.entrySet()) {
            Http.Reply list = http.get(BASE + e.getKey());
            assertEquals(200, list.code(), list.raw());
            Set<String> stored = new HashSet<>();
            list.body().path("items").forEach(item -> stored.add(item.path("metadata").path("name").asText()));
            assertEquals(e.getValue(), new TreeSet<>(stored), "exactly the accepted " + e.getKey() + " are stored");
            for (String name : e.getValue()) {
                Http.Reply got = http.get(BASE + e.getKey() + "/" + name);
                assertEquals(200, got.code(), name);
                Class<?> type = e.getKey().equals("virtualmachineinstances") ? io.jvirt.api.v1.VirtualMachineInstance.class
                        : e.getKey().equals("virtualmachines") ? io.jvirt.api.v1.VirtualMachine.class : null;
                if (type == null) continue;
                try {
                    TYPES.treeToValue(got.body(), type);
                } catch (Exception ex) {
                    unreadable.add(e.getKey() + "/" + name + ": " + ex.getMessage().lines().findFirst().orElse("") + " in " + abbreviate(got.raw()));
                }
            }
        }
        assertEquals(List.of(), unreadable, "every accepted VM and VMI reads into jvirt's API types, as the controllers read them");
        ObjectNode normal = (ObjectNode) Http.JSON.readTree(SEEDS.get("virtualmachineinstances"));
        normal.withObjectProperty("metadata").put("name", "after-fuzz");
        assertEquals(201, http.post(BASE + "virtualmachineinstances", Http.JSON.writeValueAsString(normal)).code(), "the server still creates");
        Http.Reply watched = http.get(BASE + "virtualmachineinstances?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dafter-fuzz&resourceVersion=0");
        assertEquals(200, watched.code(), watched.raw());
        assertTrue(watched.raw().contains("\"after-fuzz\""), "a watch still delivers: " + abbreviate(watched.raw()));
    }

    /** One random mutation somewhere in the tree. */
    private static void mutate(ObjectNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        int kind = random.nextInt(8);
        if (target instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            String key = keys.isEmpty() || kind == 7 ? randomKey(random) : keys.get(random.nextInt(keys.size()));
            if (kind == 0 && !keys.isEmpty()) {
                o.remove(key);
            } else {
                o.set(key, randomValue(random, o.get(key)));
            }
        } else if (target instanceof ArrayNode a) {
            if (kind == 0 && !a.isEmpty()) {
                a.remove(random.nextInt(a.size()));
            } else if (kind == 1 && !a.isEmpty()) {
                a.add(a.get(random.nextInt(a.size())).deepCopy());
            } else if (a.isEmpty()) {
                a.add(randomValue(random, null));
            } else {
                a.set(random.nextInt(a.size()), randomValue(random, null));
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (!node.isContainerNode()) return;
        out.add(node);
        node.forEach(child -> collect(child, out));
    }

    private static String randomKey(Random random) {
        return List.of("bogus", "\uD83D\uDE00", "", "a.b/c", "spec", "metadata", "status", "kubevirt.io/created-by").get(random.nextInt(8));
    }

    private static JsonNode randomValue(Random random, JsonNode current) {
        return switch (random.nextInt(9)) {
            case 0 -> NODES.textNode(ODD_STRINGS.get(random.nextInt(ODD_STRINGS.size())));
            case 1 -> ODD_NUMBERS.get(random.nextInt(ODD_NUMBERS.size()));
            case 2 -> NODES.booleanNode(random.nextBoolean());
            case 3 -> NODES.nullNode();
            case 4 -> NODES.arrayNode().add(current == null ? NODES.textNode("x") : current.deepCopy());
            case 5 -> NODES.objectNode().set("x", current == null ? NODES.numberNode(1) : current.deepCopy());
            case 6 -> nested(random.nextInt(2) == 0, 50 + random.nextInt(150));
            case 7 -> current == null ? NODES.textNode("") : NODES.textNode(current.toString());
            default -> current instanceof ObjectNode o ? o.deepCopy().put("extra", ODD_STRINGS.get(random.nextInt(ODD_STRINGS.size())))
                    : NODES.numberNode(random.nextInt(2_000_000) - 1_000_000);
        };
    }

    private static JsonNode nested(boolean arrays, int depth) {
        JsonNode node = NODES.textNode("deep");
        for (int i = 0; i < depth; i++) node = arrays ? NODES.arrayNode().add(node) : NODES.objectNode().set("d", node);
        return node;
    }

    private static String abbreviate(String s) {
        return s.length() <= 600 ? s : s.substring(0, 600) + "... (" + s.length() + " chars)";
    }
}
