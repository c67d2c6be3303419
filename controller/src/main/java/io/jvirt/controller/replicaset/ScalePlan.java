package io.jvirt.controller.replicaset;

import java.util.Comparator;
import java.util.List;

/**
 * What a replica set does now (pure): delete finished VMIs (they are replaced), then create or delete
 * VMIs until {@code desired} are active. Deletion picks the VMIs that matter least first: not yet
 * Running before Running, not Ready before Ready, newest before oldest. A paused set does nothing.
 *
 * @param create how many VMIs to create
 * @param delete names of VMIs to delete
 */
public record ScalePlan(int create, List<String> delete) {
    /** One VMI as the plan sees it; {@code created} is the creationTimestamp text (RFC 3339 sorts). */
    public record Member(String name, String phase, boolean ready, boolean deleting, String created) {
        boolean finished() {
            return "Failed".equals(phase) || "Succeeded".equals(phase);
        }
    }

    public static ScalePlan plan(int desired, boolean paused, List<Member> members) {
        if (paused) return new ScalePlan(0, List.of());
        List<Member> live = members.stream().filter(m -> !m.deleting()).toList();
        List<String> finished = live.stream().filter(Member::finished).map(Member::name).toList();
        List<Member> active = live.stream().filter(m -> !m.finished()).toList();
        int diff = desired - active.size();
        if (diff >= 0) return new ScalePlan(diff, finished);
        Comparator<Member> leastValuable = Comparator
                .comparing((Member m) -> "Running".equals(m.phase()))
                .thenComparing(Member::ready)
                .thenComparing(Member::created, Comparator.nullsFirst(Comparator.<String>naturalOrder()).reversed());
        List<String> surplus = active.stream().sorted(leastValuable).limit(-diff).map(Member::name).toList();
        return new ScalePlan(0, java.util.stream.Stream.concat(finished.stream(), surplus.stream()).toList());
    }
}
