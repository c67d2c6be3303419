package io.jvirt.handler.node;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a node offers, computed from facts about the host (pure, thread-safe).
 *
 * @param cpus online CPUs
 * @param memoryBytes MemTotal
 * @param reserveBytes memory kept back from allocatable
 * @param maxPods pods capacity
 * @param kvm true when the acceleration probe ran a guest under KVM
 * @param tun true when {@code /dev/net/tun} exists
 */
public record NodeResources(int cpus, long memoryBytes, long reserveBytes, int maxPods, boolean kvm, boolean tun) {
    /** Device plugin resources KubeVirt advertises; 1000 slots each, as KubeVirt's device plugins do. */
    public static final String KVM = "devices.kubevirt.io/kvm";
    public static final String TUN = "devices.kubevirt.io/tun";
    static final String DEVICE_SLOTS = "1k";

    public Map<String, Quantity> capacity() {
        return resources(memoryBytes);
    }

    /** Capacity with the reserve taken off memory (never below zero). */
    public Map<String, Quantity> allocatable() {
        return resources(Math.max(0, memoryBytes - reserveBytes));
    }

    private Map<String, Quantity> resources(long memory) {
        Map<String, Quantity> r = new LinkedHashMap<>();
        r.put("cpu", new Quantity(Integer.toString(cpus)));
        r.put("memory", new Quantity(Long.toString(memory / 1024) + "Ki"));
        r.put("pods", new Quantity(Integer.toString(maxPods)));
        if (kvm) {
            r.put(KVM, new Quantity(DEVICE_SLOTS));
        }
        if (tun) {
            r.put(TUN, new Quantity(DEVICE_SLOTS));
        }
        return r;
    }
}
