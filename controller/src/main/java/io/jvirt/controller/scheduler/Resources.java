package io.jvirt.controller.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;

/**
 * An amount of cpu (millicores) and memory (bytes), each at least 0 and at most {@link Long#MAX_VALUE}:
 * amounts beyond that (a request of {@code 1e100}) count as {@link Long#MAX_VALUE}, so they fit nowhere
 * instead of overflowing into a small number.
 */
public record Resources(long cpuMillis, long memoryBytes) {
    public static final Resources ZERO = new Resources(0, 0);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    /** The sum, saturating at {@link Long#MAX_VALUE}. */
    public Resources plus(Resources o) {
        return new Resources(saturatedAdd(cpuMillis, o.cpuMillis), saturatedAdd(memoryBytes, o.memoryBytes));
    }

    public Resources minus(Resources o) {
        return new Resources(cpuMillis - o.cpuMillis, memoryBytes - o.memoryBytes);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * The sum of the requests of a pod's containers.
     *
     * @throws IllegalArgumentException if a request is not a quantity (the message names it)
     */
    public static Resources requestsOf(Pod pod) {
        Resources sum = ZERO;
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) return sum;
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getResources() == null || c.getResources().getRequests() == null) continue;
            sum = sum.plus(of(c.getResources().getRequests()));
        }
        return sum;
    }

    /**
     * cpu and memory of a resource list (missing = 0), read with Kubernetes' quantity grammar.
     *
     * @throws IllegalArgumentException if one is not a quantity (the message names it)
     */
    public static Resources of(Map<String, Quantity> list) {
        if (list == null) return ZERO;
        return new Resources(amount(list.get("cpu"), THOUSAND), amount(list.get("memory"), BigDecimal.ONE));
    }

    /** {@code q × unit}, rounded up, clamped to [0, Long.MAX_VALUE]. */
    private static long amount(Quantity q, BigDecimal unit) {
        if (q == null) return 0;
        BigDecimal value = io.jvirt.api.meta.Quantity.parse(text(q)).value().multiply(unit);
        if (value.signum() <= 0) return 0;
        if (value.compareTo(MAX) >= 0) return Long.MAX_VALUE;
        return value.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /** fabric8 keeps a quantity as amount and format (suffix) apart. */
    private static String text(Quantity q) {
        return (q.getAmount() == null ? "" : q.getAmount()) + (q.getFormat() == null ? "" : q.getFormat());
    }
}
