package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/**
 * What the node agent needs of a pod to run its launcher (pure, from the Pod object). Holds no
 * command: the node never runs a command taken from a Pod spec, only the launcher it builds itself
 * ({@link LauncherPods#prepare}).
 *
 * @param uid pod UID: names the netns, the cgroup and the state directory
 * @param memoryLimitBytes {@code limits.memory} of the {@code compute} container, else {@code requests.memory}, else 0
 *     (no limit); read with Kubernetes' quantity grammar (fabric8's reads through a double and loses bytes)
 * @param cpuLimitMillis {@code limits.cpu} of the {@code compute} container in thousandths of a CPU, else 0 (no limit;
 *     a request alone limits nothing, as with kubelet)
 * @param gracePeriodSeconds {@code terminationGracePeriodSeconds} (default 30)
 */
public record PodPlan(String uid, String namespace, String name, long memoryLimitBytes, long cpuLimitMillis, long gracePeriodSeconds) {
    public static final String CONTAINER = "compute";

    /** The pod's cgroup limits: its memory and cpu, and {@link CgroupLimits#DEFAULT_PIDS_MAX} processes. */
    public CgroupLimits limits() {
        return new CgroupLimits(memoryLimitBytes, cpuLimitMillis, CgroupLimits.DEFAULT_PIDS_MAX);
    }

    /**
     * @throws IllegalArgumentException when the pod has no {@code compute} container, or its memory or cpu limit is not
     *     a quantity or does not fit in a long
     */
    public static PodPlan of(Pod pod) {
        Container compute = pod.getSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("pod has no container named " + CONTAINER));
        Long grace = pod.getSpec().getTerminationGracePeriodSeconds();
        return new PodPlan(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                memoryLimit(compute), cpuLimitMillis(compute), grace == null ? 30 : grace);
    }

    static long memoryLimit(Container c) {
        if (c.getResources() == null) {
            return 0;
        }
        Quantity q = pick(c.getResources().getLimits());
        if (q == null) {
            q = pick(c.getResources().getRequests());
        }
        if (q == null) {
            return 0;
        }
        String text = (q.getAmount() == null ? "" : q.getAmount()) + (q.getFormat() == null ? "" : q.getFormat());
        try {
            return io.jvirt.api.meta.Quantity.parse(text).toLongCeiling();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("memory limit " + text + " of container " + c.getName() + " is too large for a memory cgroup", e);
        }
    }

    /** {@code limits.cpu} in thousandths of a CPU, rounded up (0: none). */
    static long cpuLimitMillis(Container c) {
        Quantity q = c.getResources() == null || c.getResources().getLimits() == null ? null : c.getResources().getLimits().get("cpu");
        if (q == null) {
            return 0;
        }
        String text = (q.getAmount() == null ? "" : q.getAmount()) + (q.getFormat() == null ? "" : q.getFormat());
        java.math.BigDecimal millis = io.jvirt.api.meta.Quantity.parse(text).value().movePointRight(3).setScale(0, java.math.RoundingMode.CEILING);
        if (millis.compareTo(java.math.BigDecimal.valueOf(CgroupLimits.MAX_CPU_MILLIS)) > 0) {
            throw new IllegalArgumentException("cpu limit " + text + " of container " + c.getName() + " is too large for a CFS quota");
        }
        return Math.max(0, millis.longValue());
    }

    private static Quantity pick(Map<String, Quantity> resources) {
        return resources == null ? null : resources.get("memory");
    }
}
