package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.jvirt.api.instancetype.SizeKind;
import io.jvirt.controller.instancetype.Sizing;
import io.jvirt.controller.resource.Condition;
import io.jvirt.controller.resource.PoolResource;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.resource.VirtualMachineResource;
import io.jvirt.controller.vm.CrashLoopBackoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Instancetypes, preferences and pools through the real embedded API server, the stock kubectl and the
 * controllers (no node agent: VMIs are created, not run): the common bundle at start, the revision a VM captures,
 * the expanded VMI, a missing instancetype, and a pool's names, scale-in and replacement.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstancetypeAndPoolIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(CrashLoopBackoff.DEFAULT);
        cluster.addNode("node-1", "4", "4Gi", Map.of("kubernetes.io/hostname", "node-1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    static VirtualMachineResource vm(String name) {
        return cluster.client.resources(VirtualMachineResource.class).inNamespace("default").withName(name).get();
    }

    static VirtualMachineInstanceResource vmi(String name) {
        return cluster.client.resources(VirtualMachineInstanceResource.class).inNamespace("default").withName(name).get();
    }

    @SuppressWarnings("unchecked")
    static String revisionOf(VirtualMachineResource vm) {
        if (vm == null || vm.getStatus() == null || vm.getStatus().unknown() == null) return null;
        Object ref = vm.getStatus().unknown().get("instancetypeRef");
        if (!(ref instanceof Map<?, ?> m) || !(m.get("controllerRevisionRef") instanceof Map<?, ?> r)) return null;
        return (String) r.get("name");
    }

    @Test
    @Order(1)
    void theCommonInstancetypesAreInstalledAtStart() throws Exception {
        String out = cluster.kubectl.ok("get", "virtualmachineclusterinstancetypes");
        for (String name : List.of("u1.nano", "u1.small", "u1.medium", "o1.small", "cx1.medium", "m1.large")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(name + " ")), name + " missing:\n" + out);
        }
        String small = cluster.kubectl.ok("get", "vmcf", "u1.small", "-o", "jsonpath={.spec.cpu.guest} {.spec.memory.guest}");
        assertEquals("1 2Gi", small);
        assertTrue(cluster.kubectl.ok("get", "vmcp").contains("fedora"));
    }

    @Test
    @Order(2)
    void aVmCapturesItsInstancetypeAndItsVmiIsExpanded() throws Exception {
        cluster.kubectl.ok("apply", "-n", "default", "-f", VmLifecycleIT.EXAMPLES.resolve("vm-instancetype.yaml").toString());
        VirtualMachineResource vm = await(WAIT, "the captured revision", () -> vm("vm-instancetype"), v -> revisionOf(v) != null);
        GenericKubernetesResource type = cluster.client.genericKubernetesResources(Sizing.context(SizeKind.INSTANCETYPE))
                .inNamespace("default").withName("demo-2cpu").get();
        String revision = revisionOf(vm);
        assertEquals("vm-instancetype-demo-2cpu-v1beta1-" + type.getMetadata().getUid() + "-1", revision);
        ControllerRevision captured = cluster.client.apps().controllerRevisions().inNamespace("default").withName(revision).get();
        assertEquals(vm.getMetadata().getUid(), captured.getMetadata().getOwnerReferences().getFirst().getUid());
        assertTrue(cluster.kubectl.ok("get", "controllerrevisions", "-n", "default").contains("virtualmachine.kubevirt.io/vm-instancetype"));

        cluster.kubectl.ok("patch", "vm", "vm-instancetype", "-n", "default", "--type", "merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        VirtualMachineInstanceResource vmi = await(WAIT, "the VMI", () -> vmi("vm-instancetype"), v -> v != null);
        assertEquals(2L, vmi.getSpec().domain().cpu().sockets());
        assertEquals(1L, vmi.getSpec().domain().cpu().cores());
        assertEquals("192Mi", vmi.getSpec().domain().memory().guest().toString());
        assertEquals("virtio", vmi.getSpec().domain().devices().disks().getFirst().disk().bus());
        assertEquals(5L, vmi.getSpec().terminationGracePeriodSeconds());
        assertEquals("demo-2cpu", vmi.getMetadata().getAnnotations().get("kubevirt.io/instancetype-name"));
        assertEquals("demo-virtio", vmi.getMetadata().getAnnotations().get("kubevirt.io/preference-name"));
    }

    @Test
    @Order(3)
    void anEditedInstancetypeChangesTheVmOnlyOnceItIsRecreated() throws Exception {
        cluster.kubectl.ok("patch", "vminstancetype", "demo-2cpu", "-n", "default", "--type", "merge", "-p", "{\"spec\":{\"memory\":{\"guest\":\"256Mi\"}}}");
        String first = revisionOf(vm("vm-instancetype"));
        // restart: stop (VMI gone), start again: the VMI is made from the captured revision
        cluster.kubectl.ok("patch", "vm", "vm-instancetype", "-n", "default", "--type", "merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
        await(WAIT, "the VMI gone", () -> vmi("vm-instancetype"), v -> v == null || v.getMetadata().getDeletionTimestamp() != null);
        removeFinalizers("vm-instancetype");
        await(WAIT, "the VMI deleted", () -> vmi("vm-instancetype"), v -> v == null);
        cluster.kubectl.ok("patch", "vm", "vm-instancetype", "-n", "default", "--type", "merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        VirtualMachineInstanceResource restarted = await(WAIT, "the VMI again", () -> vmi("vm-instancetype"), v -> v != null);
        assertEquals("192Mi", restarted.getSpec().domain().memory().guest().toString());
        assertEquals(first, revisionOf(vm("vm-instancetype")));

        cluster.kubectl.ok("delete", "vm", "vm-instancetype", "-n", "default", "--wait=false");
        removeFinalizers("vm-instancetype");
        await(WAIT, "the VM gone", () -> vm("vm-instancetype"), v -> v == null);
        Path recreated = cluster.dir.resolve("vm-only.yaml");
        String all = Files.readString(VmLifecycleIT.EXAMPLES.resolve("vm-instancetype.yaml"));
        Files.writeString(recreated, all.substring(all.lastIndexOf("---")).replace("runStrategy: Halted", "runStrategy: Always"));
        cluster.kubectl.ok("apply", "-n", "default", "-f", recreated.toString());
        VirtualMachineInstanceResource fresh = await(WAIT, "the new VMI", () -> vmi("vm-instancetype"),
                v -> v != null && v.getMetadata().getDeletionTimestamp() == null && v.getSpec().domain().memory() != null
                        && "256Mi".equals(v.getSpec().domain().memory().guest().toString()));
        assertNotEquals(first, revisionOf(vm("vm-instancetype")));
        assertEquals("256Mi", fresh.getSpec().domain().memory().guest().toString());
    }

    /** No node agent runs here: a deleted VMI stays until its launcher pod is gone, which only a component may delete. */
    static void removeFinalizers(String vmi) {
        cluster.controller.pods().inNamespace("default").withLabel("kubevirt.io/domain", vmi).list().getItems()
                .forEach(p -> cluster.controller.pods().resource(p).delete());
    }

    @Test
    @Order(4)
    void aVmWhoseInstancetypeIsGoneDoesNotStart() throws Exception {
        String type = """
                apiVersion: instancetype.kubevirt.io/v1beta1
                kind: VirtualMachineInstancetype
                metadata:
                  name: short-lived
                spec:
                  cpu:
                    guest: 1
                  memory:
                    guest: 128Mi
                """;
        Path typeFile = cluster.dir.resolve("short-lived.yaml");
        Files.writeString(typeFile, type);
        String all = Files.readString(VmLifecycleIT.EXAMPLES.resolve("vm-instancetype.yaml"));
        Path vmFile = cluster.dir.resolve("vm-orphan.yaml");
        Files.writeString(vmFile, all.substring(all.lastIndexOf("---")).replace("vm-instancetype", "vm-orphan")
                .replace("name: demo-2cpu", "name: short-lived").replace("runStrategy: Halted", "runStrategy: Always"));
        // the controllers are stopped while the VM is admitted and its instancetype deleted: they never saw it
        cluster.controllers.close();
        cluster.kubectl.ok("apply", "-n", "default", "-f", typeFile.toString());
        cluster.kubectl.ok("apply", "-n", "default", "-f", vmFile.toString());
        cluster.kubectl.ok("delete", "-n", "default", "-f", typeFile.toString());
        cluster.controllers = ControlPlane.start(cluster.controller, cluster.scheduler,
                new ControlPlane.Options(true, CrashLoopBackoff.DEFAULT, ControlPlane.Options.EMBEDDED.workers()), Clock.systemUTC());
        VirtualMachineResource vm = await(WAIT, "the Failure condition", () -> vm("vm-orphan"), v -> failure(v) != null);
        Condition failure = failure(vm);
        assertEquals("FailedFindInstancetype", failure.reason());
        assertEquals("virtualmachineinstancetypes.instancetype.kubevirt.io \"short-lived\" not found", failure.message());
        // the status that reports the failure is the reconcile that would have created the VMI
        assertNull(vmi("vm-orphan"));
        assertEquals("Stopped", vm.getStatus().printableStatus());

        // KubeVirt's admission refuses a VM naming a missing instancetype in the first place
        Path other = cluster.dir.resolve("vm-refused.yaml");
        Files.writeString(other, Files.readString(vmFile).replace("vm-orphan", "vm-refused"));
        Kubectl.Result refused = cluster.kubectl.run("apply", "-n", "default", "-f", other.toString());
        assertNotEquals(0, refused.exit());
        assertTrue(refused.err().contains("spec.instancetype: Failure to find instancetype: "
                + "virtualmachineinstancetypes.instancetype.kubevirt.io \"short-lived\" not found"), refused.err());

        // and a template that sets what the instancetype sets
        Path conflicting = cluster.dir.resolve("vm-conflict.yaml");
        Files.writeString(conflicting, all.substring(all.lastIndexOf("---")).replace("vm-instancetype", "vm-conflict")
                .replace("      domain:\n", "      domain:\n        memory:\n          guest: 1Gi\n"));
        Kubectl.Result conflict = cluster.kubectl.run("apply", "-n", "default", "-f", conflicting.toString());
        assertTrue(conflict.err().contains("spec.template.spec.domain.memory.guest: "
                + "VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type"), conflict.err());
    }

    static Condition failure(VirtualMachineResource vm) {
        if (vm == null || vm.getStatus() == null || vm.getStatus().conditions() == null) return null;
        return vm.getStatus().conditions().stream().filter(c -> "Failure".equals(c.type())).findFirst().orElse(null);
    }

    static List<VirtualMachineResource> poolVms() {
        return cluster.client.resources(VirtualMachineResource.class).inNamespace("default").withLabel("app", "vm-pool").list().getItems()
                .stream().filter(v -> v.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static List<String> names(List<VirtualMachineResource> vms) {
        return vms.stream().map(v -> v.getMetadata().getName()).sorted().toList();
    }

    @Test
    @Order(5)
    void aPoolNamesScalesAndReplacesItsVms() throws Exception {
        cluster.kubectl.ok("apply", "-n", "default", "-f", VmLifecycleIT.EXAMPLES.resolve("vm-pool.yaml").toString());
        await(WAIT, "two pool VMs", InstancetypeAndPoolIT::poolVms, v -> names(v).equals(List.of("vm-pool-0", "vm-pool-1")));
        PoolResource pool = await(WAIT, "the pool status", () -> cluster.client.resources(PoolResource.class).inNamespace("default").withName("vm-pool").get(),
                p -> p.getStatus() != null && Integer.valueOf(2).equals(p.getStatus().replicas()));
        assertEquals("app=vm-pool", pool.getStatus().labelSelector());
        VirtualMachineResource member = vm("vm-pool-0");
        assertEquals("vm-pool", member.getMetadata().getOwnerReferences().getFirst().getName());
        assertEquals("vm-pool-1", member.getMetadata().getLabels().get("kubevirt.io/vm-pool-revision-name"));
        String header = cluster.kubectl.ok("get", "vmpool", "-n", "default").lines().findFirst().orElseThrow();
        assertTrue(header.matches("NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE"), header);

        String uid = vm("vm-pool-1").getMetadata().getUid();
        cluster.kubectl.ok("delete", "vm", "vm-pool-1", "-n", "default", "--wait=false");
        VirtualMachineResource replaced = await(WAIT, "the replacement", () -> vm("vm-pool-1"),
                v -> v != null && !uid.equals(v.getMetadata().getUid()) && v.getMetadata().getDeletionTimestamp() == null);
        assertEquals("vm-pool", replaced.getMetadata().getOwnerReferences().getFirst().getName());
        assertEquals(List.of("vm-pool-0", "vm-pool-1"), names(poolVms()));

        cluster.kubectl.ok("scale", "vmpool", "vm-pool", "-n", "default", "--replicas=1");
        await(WAIT, "one pool VM", InstancetypeAndPoolIT::poolVms, v -> v.size() == 1);
        await(WAIT, "the pool status", () -> cluster.client.resources(PoolResource.class).inNamespace("default").withName("vm-pool").get(),
                p -> Integer.valueOf(1).equals(p.getStatus().replicas()));
    }
}
