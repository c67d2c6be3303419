package io.jvirt.apiserver.rbac;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a set of rules covers another rule, as RBAC's escalation check decides it: the rule is broken into
 * atoms of one verb, one group, one resource (and one name, if it names any) or one verb and one path; each atom
 * must be matched by one held rule, with {@code *} in the atom matched only by {@code *}. Pure.
 */
final class Coverage {
    private Coverage() {}

    /** The atoms of {@code rule}. */
    static List<PolicyRule> breakdown(PolicyRule rule) {
        List<PolicyRule> out = new ArrayList<>();
        for (String verb : rule.verbs()) {
            for (String url : rule.nonResourceURLs()) out.add(PolicyRule.paths(List.of(verb), List.of(url)));
            for (String group : rule.apiGroups()) {
                for (String resource : rule.resources()) {
                    PolicyRule atom = PolicyRule.resources(List.of(verb), List.of(group), List.of(resource));
                    if (rule.resourceNames().isEmpty()) {
                        out.add(atom);
                    } else {
                        for (String n : rule.resourceNames()) out.add(atom.named(List.of(n)));
                    }
                }
            }
        }
        return out;
    }

    /** Whether one of {@code held} covers the atom {@code atom}. */
    static boolean covers(List<PolicyRule> held, PolicyRule atom) {
        for (PolicyRule h : held) {
            if (coversAtom(h, atom)) return true;
        }
        return false;
    }

    private static boolean coversAtom(PolicyRule h, PolicyRule atom) {
        if (!has(h.verbs(), atom.verbs().get(0))) return false;
        if (!atom.nonResourceURLs().isEmpty()) {
            String url = atom.nonResourceURLs().get(0);
            for (String u : h.nonResourceURLs()) {
                if (u.equals(PolicyRule.ALL) || u.equals(url)) return true;
                if (u.endsWith("*") && url.startsWith(u.substring(0, u.length() - 1))) return true;
            }
            return false;
        }
        if (!has(h.apiGroups(), atom.apiGroups().get(0))) return false;
        String resource = atom.resources().get(0);
        boolean resourceOk = has(h.resources(), resource);
        int slash = resource.indexOf('/');
        if (!resourceOk && slash > 0) resourceOk = h.resources().contains("*" + resource.substring(slash));
        if (!resourceOk) return false;
        return h.resourceNames().isEmpty() || (!atom.resourceNames().isEmpty() && h.resourceNames().contains(atom.resourceNames().get(0)));
    }

    private static boolean has(List<String> list, String value) {
        return list.contains(PolicyRule.ALL) || list.contains(value);
    }

    /** An atom as kube-apiserver prints it in the refusal. */
    static String describe(PolicyRule atom) {
        if (!atom.nonResourceURLs().isEmpty()) {
            return "{NonResourceURLs:[\"" + atom.nonResourceURLs().get(0) + "\"], Verbs:[\"" + atom.verbs().get(0) + "\"]}";
        }
        return "{APIGroups:[\"" + atom.apiGroups().get(0) + "\"], Resources:[\"" + atom.resources().get(0) + "\"]"
                + (atom.resourceNames().isEmpty() ? "" : ", ResourceNames:[\"" + atom.resourceNames().get(0) + "\"]")
                + ", Verbs:[\"" + atom.verbs().get(0) + "\"]}";
    }
}
