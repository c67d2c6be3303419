package io.jvirt.controller.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;

/**
 * An amount of cpu (millicores) and memory (bytes).
 */
public record Resources(long cpuMillis, long memoryBytes) {
    public static final Resources ZERO = new Resources(0, 0);

    public Resources plus(Resources o) {
        return new Resources(cpuMillis + o.cpuMillis, memoryBytes + o.memoryBytes);
    }

    public Resources minus(Resources o) {
        return new Resources(cpuMillis - o.cpuMillis, memoryBytes - o.memoryBytes);
    }

    /** The sum of the requests of a pod's containers. */
    public static Resources requestsOf(Pod pod) {
        Resources sum = ZERO;
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) return sum;
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getResources() == null || c.getResources().getRequests() == null) continue;
            sum = sum.plus(of(c.getResources().getRequests()));
        }
        return sum;
    }

    /** cpu and memory of a resource list (missing = 0). */
    public static Resources of(Map<String, Quantity> list) {
        if (list == null) return ZERO;
        return new Resources(millis(list.get("cpu")), bytes(list.get("memory")));
    }

    private static long millis(Quantity q) {
        if (q == null) return 0;
        return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    private static long bytes(Quantity q) {
        if (q == null) return 0;
        return Quantity.getAmountInBytes(q).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }
}
