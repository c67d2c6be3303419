package io.jvirt.controller.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * What a VirtualMachinePool does now (pure), as KubeVirt's pool controller: members are named
 * {@code <pool>-<index>}; to scale out it creates the lowest free indexes (so a deleted member comes back under its
 * name); to scale in it deletes members not already being deleted, picked by the scale-in sort policy
 * ({@code spec.scaleInStrategy.proactive.selectionPolicy.sortPolicy}: AscendingOrder, DescendingOrder, Newest,
 * Oldest, default Random). A member being deleted still counts (and keeps its name) until it is gone, so it is
 * replaced under its own name once the lower indexes are taken; for scale-in it counts as already removed. A
 * paused pool does nothing.
 *
 * @param create names of VMs to create
 * @param delete names of VMs to delete
 */
public record PoolPlan(List<String> create, List<String> delete) {
    /** One member VM; {@code created} is its creationTimestamp text (RFC 3339 sorts). */
    public record Member(String name, boolean deleting, String created) {}

    public static PoolPlan plan(String pool, int desired, boolean paused, String sortPolicy, List<Member> members, RandomGenerator random) {
        if (paused) return new PoolPlan(List.of(), List.of());
        List<Member> live = members.stream().filter(m -> !m.deleting()).toList();
        int diff = desired - members.size();
        if (diff > 0) {
            Set<String> taken = new TreeSet<>(members.stream().map(Member::name).toList());
            List<String> names = new ArrayList<>();
            for (int i = 0; names.size() < diff; i++) {
                String name = pool + "-" + i;
                if (!taken.contains(name)) names.add(name);
            }
            return new PoolPlan(names, List.of());
        }
        int surplus = -diff - (members.size() - live.size());
        if (surplus <= 0) return new PoolPlan(List.of(), List.of());
        List<Member> ordered = new ArrayList<>(live);
        switch (sortPolicy == null ? "Random" : sortPolicy) {
            case "AscendingOrder" -> ordered.sort(Comparator.comparingInt(m -> index(m.name())));
            case "DescendingOrder" -> ordered.sort(Comparator.comparingInt((Member m) -> index(m.name())).reversed());
            case "Newest" -> ordered.sort(Comparator.comparing(Member::created, Comparator.nullsLast(Comparator.<String>naturalOrder())).reversed());
            case "Oldest" -> ordered.sort(Comparator.comparing(Member::created, Comparator.nullsLast(Comparator.<String>naturalOrder())));
            default -> java.util.Collections.shuffle(ordered, random);
        }
        return new PoolPlan(List.of(), ordered.subList(0, surplus).stream().map(Member::name).toList());
    }

    /** The index at the end of a member's name ({@code vm-pool-3} → 3), 0 when there is none (KubeVirt's reading). */
    static int index(String name) {
        try {
            return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
