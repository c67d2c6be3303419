package io.jvirt.handler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvirt.handler.pod.LauncherOwner;
import io.jvirt.handler.vmi.VmiAgent;
import java.util.Map;

/**
 * Test builders: a small VMI, and its launcher pod as virt-controller makes it (labels, controller
 * owner reference, {@code compute} container), already bound to a node.
 */
public final class LauncherPodFixtures {
    private LauncherPodFixtures() {}

    /** Creates a VMI {@code name} in {@code default}: 64Mi, no disks, no interfaces; returns it as stored. */
    public static GenericKubernetesResource createVmi(KubernetesClient client, String name) {
        GenericKubernetesResource vmi = new GenericKubernetesResourceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance")
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .addToAdditionalProperties("spec", Map.of("domain", Map.of("devices", Map.of(),
                        "resources", Map.of("requests", Map.of("memory", "64Mi")))))
                .build();
        return client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").resource(vmi).create();
    }

    /** The launcher pod of {@code vmi} bound to {@code node}: grace period 2 s, no memory limit, the controller's command. */
    public static PodBuilder launcherPod(GenericKubernetesResource vmi, String node) {
        String uid = vmi.getMetadata().getUid();
        String name = vmi.getMetadata().getName();
        return new PodBuilder().withNewMetadata().withName("virt-launcher-" + name + "-" + uid.substring(0, 5)).withNamespace("default")
                .addToLabels(LauncherOwner.APP_LABEL, LauncherOwner.APP_VALUE).addToLabels(LauncherOwner.CREATED_BY, uid)
                .addNewOwnerReference().withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance").withName(name).withUid(uid)
                .withController(true).withBlockOwnerDeletion(true).endOwnerReference().endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy("Never").withTerminationGracePeriodSeconds(2L)
                .addNewContainer().withName("compute").withImage("jvirt/virt-launcher")
                .withCommand("jvirt-launcher", "--namespace", "default", "--name", name, "--uid", uid)
                .withNewResources().endResources().endContainer().endSpec();
    }

    /** {@code builder}'s pod with memory limit and request {@code memory}. */
    public static PodBuilder withMemory(PodBuilder builder, String memory) {
        return builder.editSpec().editFirstContainer().editResources().addToLimits("memory", new Quantity(memory))
                .addToRequests("memory", new Quantity(memory)).endResources().endContainer().endSpec();
    }
}
