package io.jvirt.controller.scheduler;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pod fits a node (pure). Checks, in kube-scheduler's order: node Ready and schedulable,
 * {@code nodeSelector}, required node affinity (terms ORed, expressions ANDed; In, NotIn, Exists,
 * DoesNotExist, Gt, Lt on labels), then cpu and memory against allocatable minus what bound pods
 * request. The failure reasons use kube-scheduler's wording so the summary reads the same.
 */
public final class NodeFit {
    public static final String NOT_READY = "node(s) were not ready";
    public static final String UNSCHEDULABLE = "node(s) were unschedulable";
    public static final String AFFINITY = "node(s) didn't match Pod's node affinity/selector";
    public static final String MEMORY = "Insufficient memory";
    public static final String CPU = "Insufficient cpu";

    /** A node as the scheduler sees it. */
    public record Node(String name, Map<String, String> labels, boolean ready, boolean unschedulable, Resources allocatable) {}

    /** A pod's scheduling demands; {@code requiredTerms} empty = no required node affinity. */
    public record Demand(Resources requests, Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms) {}

    private NodeFit() {}

    /** Empty if {@code demand} fits {@code node} with {@code used} already requested there, else why not. */
    public static Optional<String> check(Demand demand, Node node, Resources used) {
        if (!node.ready()) return Optional.of(NOT_READY);
        if (node.unschedulable()) return Optional.of(UNSCHEDULABLE);
        Map<String, String> labels = node.labels() == null ? Map.of() : node.labels();
        if (demand.nodeSelector() != null) {
            for (var e : demand.nodeSelector().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) return Optional.of(AFFINITY);
            }
        }
        if (demand.requiredTerms() != null && !demand.requiredTerms().isEmpty()
                && demand.requiredTerms().stream().noneMatch(t -> termMatches(t, labels))) {
            return Optional.of(AFFINITY);
        }
        Resources free = node.allocatable().minus(used);
        if (demand.requests().memoryBytes() > free.memoryBytes()) return Optional.of(MEMORY);
        if (demand.requests().cpuMillis() > free.cpuMillis()) return Optional.of(CPU);
        return Optional.empty();
    }

    /** kube-scheduler's summary, e.g. {@code 0/2 nodes are available: 1 Insufficient memory, 1 node(s) were not ready.} */
    public static String summary(int nodes, Map<String, Integer> reasons) {
        StringBuilder b = new StringBuilder().append("0/").append(nodes).append(nodes == 1 ? " nodes are available" : " nodes are available");
        if (reasons.isEmpty()) return b.append(".").toString();
        b.append(": ");
        List<String> parts = reasons.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue() + " " + e.getKey()).toList();
        return b.append(String.join(", ", parts)).append(".").toString();
    }

    static boolean termMatches(NodeSelectorTerm term, Map<String, String> labels) {
        List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        if (exprs.isEmpty() && (term.getMatchFields() == null || term.getMatchFields().isEmpty())) return false;
        for (NodeSelectorRequirement r : exprs) {
            if (!requirementMatches(r, labels)) return false;
        }
        return true;
    }

    static boolean requirementMatches(NodeSelectorRequirement r, Map<String, String> labels) {
        String v = labels.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        return switch (r.getOperator()) {
            case "In" -> v != null && values.contains(v);
            case "NotIn" -> v == null || !values.contains(v);
            case "Exists" -> v != null;
            case "DoesNotExist" -> v == null;
            case "Gt" -> v != null && values.size() == 1 && compare(v, values.getFirst()) > 0;
            case "Lt" -> v != null && values.size() == 1 && compare(v, values.getFirst()) < 0;
            default -> false;
        };
    }

    private static int compare(String label, String bound) {
        try {
            return Long.compare(Long.parseLong(label), Long.parseLong(bound));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
