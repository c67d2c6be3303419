package io.jvirt.api.instancetype;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * jvirt's rendering of KubeVirt's common-instancetypes bundle, which KubeVirt's operator installs as cluster-wide
 * objects: the published series and sizes (name, vCPUs, memory, and each series' traits: overcommitted memory,
 * dedicated CPUs, hugepages, vNUMA, realtime) as VirtualMachineClusterInstancetypes, and preferences for the
 * common guest operating systems as VirtualMachineClusterPreferences. Written for jvirt from the published
 * figures; the preferences carry device choices only (no minimum-resource requirements). Pure; each call returns
 * new trees.
 */
public final class CommonInstancetypes {
    /** Label on every object of the bundle, so the installer recognises its own. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "jvirt";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private record Series(String name, String displayName, String traits, String[] sizes) {}

    /** name.size → vCPUs / memory, per the published table. */
    private static final List<Series> SERIES = List.of(
            new Series("u1", "Universal", "general purpose; CPUs shared by time slice, 1 vCPU to 4 GiB", new String[] {
                "nano:1:512Mi", "micro:1:1Gi", "small:1:2Gi", "medium:1:4Gi", "2xmedium:2:4Gi", "large:2:8Gi",
                "xlarge:4:16Gi", "2xlarge:8:32Gi", "4xlarge:16:64Gi", "8xlarge:32:128Gi"}),
            new Series("o1", "Overcommitted", "like u1, with memory overcommitted by half", new String[] {
                "nano:1:512Mi", "micro:1:1Gi", "small:1:2Gi", "medium:1:4Gi", "large:2:8Gi", "xlarge:4:16Gi",
                "2xlarge:8:32Gi", "4xlarge:16:64Gi", "8xlarge:32:128Gi"}),
            new Series("cx1", "Compute Exclusive", "dedicated CPUs, isolated emulator thread, vNUMA, 2Mi hugepages, 1 vCPU to 2 GiB",
                    new String[] {"medium:1:2Gi", "large:2:4Gi", "xlarge:4:8Gi", "2xlarge:8:16Gi", "4xlarge:16:32Gi", "8xlarge:32:64Gi"}),
            new Series("m1", "Memory", "memory intensive; 2Mi hugepages, 1 vCPU to 8 GiB", new String[] {
                "large:2:16Gi", "xlarge:4:32Gi", "2xlarge:8:64Gi", "4xlarge:16:128Gi", "8xlarge:32:256Gi"}),
            new Series("n1", "Network", "DPDK network functions; dedicated CPUs, 1Gi hugepages, DPDK worker nodes", new String[] {
                "medium:4:4Gi", "large:4:8Gi", "xlarge:8:16Gi", "2xlarge:16:32Gi", "4xlarge:32:64Gi", "8xlarge:64:128Gi"}),
            new Series("rt1", "Realtime", "realtime workloads; dedicated CPUs, vNUMA, realtime vCPUs, 1Gi hugepages", new String[] {
                "micro:1:1Gi", "small:1:2Gi", "medium:1:4Gi", "large:2:8Gi", "xlarge:4:16Gi", "2xlarge:8:32Gi",
                "4xlarge:16:64Gi", "8xlarge:32:128Gi"}));

    private CommonInstancetypes() {}

    /** Every VirtualMachineClusterInstancetype of the bundle, series by series, sizes small to large. */
    public static List<ObjectNode> instancetypes() {
        List<ObjectNode> out = new ArrayList<>();
        for (Series s : SERIES) {
            for (String size : s.sizes()) {
                String[] f = size.split(":");
                String name = s.name() + "." + f[0];
                ObjectNode o = object(SizeKind.CLUSTER_INSTANCETYPE, name, s.displayName() + " " + f[0],
                        "The " + s.displayName() + " series (" + s.traits() + "), size " + f[0] + ": " + f[1] + " vCPU, " + f[2] + ".");
                ObjectNode labels = (ObjectNode) o.path("metadata").path("labels");
                labels.put("instancetype.kubevirt.io/class", s.displayName().toLowerCase().replace(' ', '.'))
                        .put("instancetype.kubevirt.io/cpu", f[1]).put("instancetype.kubevirt.io/memory", f[2]);
                ObjectNode spec = o.putObject("spec");
                ObjectNode cpu = spec.putObject("cpu").put("guest", Integer.parseInt(f[1]));
                ObjectNode memory = spec.putObject("memory").put("guest", f[2]);
                traits(s.name(), spec, cpu, memory);
                out.add(o);
            }
        }
        return out;
    }

    private static void traits(String series, ObjectNode spec, ObjectNode cpu, ObjectNode memory) {
        switch (series) {
            case "o1" -> memory.put("overcommitPercent", 50);
            case "cx1" -> {
                dedicated(cpu).putObject("numa").putObject("guestMappingPassthrough");
                memory.putObject("hugepages").put("pageSize", "2Mi");
                spec.put("ioThreadsPolicy", "auto");
            }
            case "m1" -> memory.putObject("hugepages").put("pageSize", "2Mi");
            case "n1" -> {
                dedicated(cpu);
                memory.putObject("hugepages").put("pageSize", "1Gi");
                spec.putObject("nodeSelector").put("node-role.kubernetes.io/worker-dpdk", "");
            }
            case "rt1" -> {
                dedicated(cpu).putObject("numa").putObject("guestMappingPassthrough");
                cpu.putObject("realtime");
                memory.putObject("hugepages").put("pageSize", "1Gi");
            }
            default -> { }
        }
    }

    private static ObjectNode dedicated(ObjectNode cpu) {
        return cpu.put("dedicatedCPUPlacement", true).put("isolateEmulatorThread", true);
    }

    /** Every VirtualMachineClusterPreference of the bundle: Linux guests on virtio, Windows guests as Windows expects. */
    public static List<ObjectNode> preferences() {
        List<ObjectNode> out = new ArrayList<>();
        String[][] linux = {
            {"alpine", "Alpine Linux"}, {"centos.stream9", "CentOS Stream 9"}, {"centos.stream10", "CentOS Stream 10"},
            {"cirros", "CirrOS"}, {"debian", "Debian"}, {"fedora", "Fedora"}, {"opensuse.leap", "openSUSE Leap"},
            {"opensuse.tumbleweed", "openSUSE Tumbleweed"}, {"rhel.8", "Red Hat Enterprise Linux 8"},
            {"rhel.9", "Red Hat Enterprise Linux 9"}, {"rhel.10", "Red Hat Enterprise Linux 10"},
            {"sles", "SUSE Linux Enterprise Server"}, {"ubuntu", "Ubuntu"}};
        for (String[] os : linux) {
            ObjectNode o = object(SizeKind.CLUSTER_PREFERENCE, os[0], os[1], "Devices for a " + os[1] + " guest: virtio disks and network, an entropy source.");
            ObjectNode devices = o.putObject("spec").putObject("devices");
            devices.put("preferredDiskBus", "virtio").put("preferredInterfaceModel", "virtio").putObject("preferredRng");
            out.add(o);
        }
        for (String version : List.of("10", "11", "2k16", "2k19", "2k22", "2k25")) {
            for (boolean virtio : List.of(false, true)) {
                String name = "windows." + version + (virtio ? ".virtio" : "");
                String display = "Microsoft Windows " + (version.startsWith("2k") ? "Server 20" + version.substring(2) : version) + (virtio ? " (virtio)" : "");
                ObjectNode o = object(SizeKind.CLUSTER_PREFERENCE, name, display, "Devices and features for a " + display
                        + " guest: " + (virtio ? "virtio disks and network (needs the virtio drivers)" : "SATA disks, e1000e network")
                        + ", UEFI with Secure Boot, TPM, Hyper-V enlightenments, UTC clock.");
                windows(o.putObject("spec"), virtio);
                out.add(o);
            }
        }
        return out;
    }

    private static void windows(ObjectNode spec, boolean virtio) {
        spec.putObject("cpu").put("preferredCPUTopology", "sockets");
        ObjectNode devices = spec.putObject("devices");
        devices.put("preferredDiskBus", virtio ? "virtio" : "sata").put("preferredInterfaceModel", virtio ? "virtio" : "e1000e");
        devices.putObject("preferredTPM");
        devices.put("preferredAutoattachInputDevice", true).put("preferredInputBus", virtio ? "virtio" : "usb").put("preferredInputType", "tablet");
        ObjectNode features = spec.putObject("features");
        features.putObject("preferredAcpi");
        features.putObject("preferredApic");
        features.putObject("preferredSmm");
        ObjectNode hyperv = features.putObject("preferredHyperv");
        for (String f : List.of("frequencies", "ipi", "reenlightenment", "relaxed", "reset", "runtime", "synic", "tlbflush", "vapic", "vpindex")) {
            hyperv.putObject(f);
        }
        hyperv.putObject("spinlocks").put("spinlocks", 8191);
        hyperv.putObject("stimer").putObject("direct");
        spec.putObject("firmware").putObject("preferredEfi").put("secureBoot", true);
        ObjectNode clock = spec.putObject("clock");
        clock.putObject("preferredClockOffset").putObject("utc");
        ObjectNode timer = clock.putObject("preferredTimer");
        timer.putObject("hpet").put("present", false);
        timer.putObject("hyperv");
        timer.putObject("pit").put("tickPolicy", "delay");
        timer.putObject("rtc").put("tickPolicy", "catchup");
        spec.put("preferredTerminationGracePeriodSeconds", 3600);
    }

    private static ObjectNode object(SizeKind kind, String name, String displayName, String description) {
        ObjectNode o = NODES.objectNode().put("apiVersion", SizeKind.API_VERSION).put("kind", kind.kind());
        ObjectNode metadata = o.putObject("metadata").put("name", name);
        metadata.putObject("labels").put(MANAGED_BY, MANAGER).put("instancetype.kubevirt.io/vendor", "kubevirt.io");
        metadata.putObject("annotations").put("instancetype.kubevirt.io/displayName", displayName)
                .put("instancetype.kubevirt.io/description", description);
        return o;
    }
}
