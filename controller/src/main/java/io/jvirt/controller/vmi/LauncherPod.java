package io.jvirt.controller.vmi;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jvirt.api.v1.Cpu;
import io.jvirt.api.v1.DomainSpec;
import io.jvirt.api.v1.Finalizers;
import io.jvirt.api.v1.KubeVirtSettings;
import io.jvirt.api.v1.Versions;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the launcher Pod of a VMI (pure). Its contract with the node agent (or kubelet):
 * <ul>
 *   <li>name {@code virt-launcher-<vmi>-<first 5 of the VMI uid>}: deterministic, so a repeated
 *       create after a lagging cache answers AlreadyExists instead of making a second pod;</li>
 *   <li>labels {@code kubevirt.io=virt-launcher}, {@code kubevirt.io/created-by=<vmi uid>},
 *       {@code vm.kubevirt.io/name=<vmi name>}, {@code kubevirt.io/domain=<vmi name>} plus the VMI's labels;</li>
 *   <li>annotations {@code kubevirt.io/domain=<vmi name>} and, for a VMI whose multus network is its {@code default},
 *       multus' {@code v1.multus-cni.io/default-network=<its networkName>} (the pod's {@code eth0} comes from that
 *       definition, not the node's pod network);</li>
 *   <li>owner reference to the VMI (controller, blockOwnerDeletion);</li>
 *   <li>one container {@code compute} whose command is {@code jvirt-launcher --namespace NS --name VMI --uid UID}:
 *       the node agent reads the VMI named there and runs the launcher for it;</li>
 *   <li>requests: memory = guest memory + {@link LauncherOverhead}, cpu = the VMI's cpu request or
 *       1000m / cpuAllocationRatio per vCPU (the KubeVirt CR; default 10: 100m); memory limit = request;</li>
 *   <li>nodeSelector, affinity, tolerations and schedulerName copied from the VMI.</li>
 * </ul>
 */
public final class LauncherPod {
    public static final String CONTAINER = "compute";
    public static final String LAUNCHER_COMMAND = "jvirt-launcher";
    public static final String APP_LABEL = "kubevirt.io";
    public static final String APP_VALUE = "virt-launcher";
    public static final String CREATED_BY = "kubevirt.io/created-by";
    public static final String VM_NAME = "vm.kubevirt.io/name";
    public static final String DOMAIN = "kubevirt.io/domain";
    /** The launcher "image": embedded mode runs no container images; the tag is the jvirt release. */
    public static final String IMAGE = "jvirt/virt-launcher:" + Versions.JVIRT;

    private LauncherPod() {}

    public static String name(VirtualMachineInstanceResource vmi) {
        String uid = vmi.getMetadata().getUid();
        return "virt-launcher-" + vmi.getMetadata().getName() + "-" + uid.substring(0, Math.min(5, uid.length()));
    }

    /**
     * @throws IllegalArgumentException if the VMI cannot be run: its spec could not be read, it asks for no
     *     memory (admission rejects such VMIs) or for more than a pod can request; the message says which
     */
    public static Pod build(VirtualMachineInstanceResource vmi, KubeVirtSettings settings, KubernetesSerialization json) {
        VirtualMachineInstanceSpec spec = vmi.getSpec();
        if (spec == null) {
            throw new IllegalArgumentException("cannot read the VMI: " + vmi.unreadable().orElse("it has no spec"));
        }
        String name = vmi.getMetadata().getName();
        String uid = vmi.getMetadata().getUid();
        Map<String, String> labels = new LinkedHashMap<>();
        if (vmi.getMetadata().getLabels() != null) labels.putAll(vmi.getMetadata().getLabels());
        labels.put(APP_LABEL, APP_VALUE);
        labels.put(CREATED_BY, uid);
        labels.put(VM_NAME, name);
        labels.put(DOMAIN, name);
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("memory", new Quantity(Long.toString(podMemoryBytes(spec))));
        requests.put("cpu", cpuRequest(spec.domain(), settings));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(DOMAIN, name);
        io.jvirt.api.v1.MultusNetwork.defaultOf(spec.networks()).ifPresent(nad -> annotations.put(io.jvirt.api.v1.MultusNetwork.DEFAULT_NETWORK_ANNOTATION, nad));
        Map<String, Object> extra = spec.unknown() == null ? Map.of() : spec.unknown();
        Affinity affinity = extra.get("affinity") == null ? null : json.convertValue(extra.get("affinity"), Affinity.class);
        List<Toleration> tolerations = extra.get("tolerations") == null ? null
                : Arrays.asList(json.convertValue(extra.get("tolerations"), Toleration[].class));
        return new PodBuilder()
                .withNewMetadata()
                .withName(name(vmi))
                .withNamespace(vmi.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .withFinalizers(Finalizers.LAUNCHER_POD)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance")
                        .withName(name).withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withSchedulerName(spec.schedulerName())
                .withPriorityClassName(spec.priorityClassName())
                .withNodeSelector(spec.nodeSelector())
                .withAffinity(affinity)
                .withTolerations(tolerations)
                .withTerminationGracePeriodSeconds(spec.terminationGracePeriodSeconds() == null ? 30L : spec.terminationGracePeriodSeconds() + 15)
                .withVolumes(claimVolumes(spec))
                .withContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(IMAGE)
                        .withCommand(LAUNCHER_COMMAND, "--namespace", vmi.getMetadata().getNamespace(), "--name", name, "--uid", uid)
                        .withNewResources()
                        .withRequests(requests)
                        .addToLimits("memory", requests.get("memory"))
                        .endResources()
                        .build())
                .endSpec()
                .build();
    }

    /** The launcher pod's memory request: guest RAM plus {@link LauncherOverhead}; a clear error when that exceeds a long. */
    /**
     * The VMI's claims as pod volumes, as KubeVirt's launcher pod has them: a {@code persistentVolumeClaim} volume
     * per persistentVolumeClaim, dataVolume or ephemeral volume (a DataVolume's claim has its name), so that Kubernetes'
     * pvc-protection sees the pod as a user of the claim.
     */
    static List<io.fabric8.kubernetes.api.model.Volume> claimVolumes(VirtualMachineInstanceSpec spec) {
        List<io.fabric8.kubernetes.api.model.Volume> out = new java.util.ArrayList<>();
        if (spec.volumes() == null) return out;
        for (io.jvirt.api.v1.Volume v : spec.volumes()) {
            String claim = v.persistentVolumeClaim() != null ? v.persistentVolumeClaim().claimName()
                    : v.dataVolume() != null ? v.dataVolume().name()
                    : v.ephemeral() != null && v.ephemeral().persistentVolumeClaim() != null ? v.ephemeral().persistentVolumeClaim().claimName() : null;
            if (claim == null) continue;
            // an ephemeral volume only reads its claim: the guest's writes go to an overlay
            boolean readOnly = v.persistentVolumeClaim() != null && Boolean.TRUE.equals(v.persistentVolumeClaim().readOnly()) || v.ephemeral() != null;
            out.add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(v.name())
                    .withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(readOnly ? Boolean.TRUE : null).endPersistentVolumeClaim().build());
        }
        return out;
    }

    static long podMemoryBytes(VirtualMachineInstanceSpec spec) {
        try {
            return LauncherOverhead.podMemoryBytes(guestMemoryBytes(spec));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the VMI's memory is too large to run: " + e.getMessage()
                    + " (the launcher pod would request more than 9223372036854775807 bytes)", e);
        }
    }

    /** Guest RAM in bytes: memory.guest, else resources.requests.memory, else resources.limits.memory. */
    static long guestMemoryBytes(VirtualMachineInstanceSpec spec) {
        DomainSpec d = spec.domain();
        if (d != null && d.memory() != null && d.memory().guest() != null) return d.memory().guest().toLongCeiling();
        if (d != null && d.resources() != null) {
            if (d.resources().requests() != null && d.resources().requests().get("memory") != null) {
                return d.resources().requests().get("memory").toLongCeiling();
            }
            if (d.resources().limits() != null && d.resources().limits().get("memory") != null) {
                return d.resources().limits().get("memory").toLongCeiling();
            }
        }
        throw new IllegalArgumentException("the VMI requests no memory (spec.domain.memory.guest or spec.domain.resources.requests.memory)");
    }

    static Quantity cpuRequest(DomainSpec d, KubeVirtSettings settings) {
        if (d != null && d.resources() != null && d.resources().requests() != null && d.resources().requests().get("cpu") != null) {
            return new Quantity(d.resources().requests().get("cpu").toString());
        }
        long vcpus = vcpus(d == null ? null : d.cpu());
        return new Quantity(settings.cpuRequestMillis(vcpus) + "m");
    }

    static long vcpus(Cpu cpu) {
        if (cpu == null) return 1;
        long cores = cpu.cores() == null ? 1 : cpu.cores();
        long sockets = cpu.sockets() == null ? 1 : cpu.sockets();
        long threads = cpu.threads() == null ? 1 : cpu.threads();
        return Math.max(1, cores * sockets * threads);
    }
}
