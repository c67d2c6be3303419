package io.jvirt.controller.replicaset;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A {@code meta/v1 LabelSelector}: matching labels and its string form ({@code a=b,c in (d,e)}). Pure. */
public final class Selector {
    private Selector() {}

    /** Whether {@code labels} satisfy {@code selector}; an empty or null selector matches nothing (like a VMIRS's). */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null || (empty(selector.getMatchLabels()) && empty(selector.getMatchExpressions()))) return false;
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) return false;
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String v = l.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> v != null && values.contains(v);
                    case "NotIn" -> v == null || !values.contains(v);
                    case "Exists" -> l.containsKey(r.getKey());
                    case "DoesNotExist" -> !l.containsKey(r.getKey());
                    default -> false;
                };
                if (!ok) return false;
            }
        }
        return true;
    }

    /** The selector as a query string, e.g. for {@code status.labelSelector} and {@code ?labelSelector=}. */
    public static String format(LabelSelector selector) {
        if (selector == null) return "";
        List<String> parts = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            new TreeMap<>(selector.getMatchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String values = r.getValues() == null ? "" : String.join(",", r.getValues());
                switch (r.getOperator()) {
                    case "In" -> parts.add(r.getKey() + " in (" + values + ")");
                    case "NotIn" -> parts.add(r.getKey() + " notin (" + values + ")");
                    case "Exists" -> parts.add(r.getKey());
                    case "DoesNotExist" -> parts.add("!" + r.getKey());
                    default -> { }
                }
            }
        }
        return String.join(",", parts);
    }

    private static boolean empty(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }

    private static boolean empty(List<?> l) {
        return l == null || l.isEmpty();
    }
}
