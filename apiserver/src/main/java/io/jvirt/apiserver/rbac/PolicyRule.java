package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One rule of a Role or ClusterRole, matched with kube-apiserver's RBAC semantics: {@code *} matches any
 * verb, group, resource or path; a resource entry <code>&#42;/sub</code> matches that subresource of any resource;
 * {@code resourceNames} (when not empty) restricts to requests that name one of them (so never list or
 * create); {@code nonResourceURLs} entries match a path exactly or, ending in {@code *}, by prefix. A rule
 * with resources applies only to resource requests, one with nonResourceURLs only to the others. Immutable.
 */
public record PolicyRule(List<String> verbs, List<String> apiGroups, List<String> resources, List<String> resourceNames,
                         List<String> nonResourceURLs) {
    static final String ALL = "*";

    public PolicyRule {
        verbs = List.copyOf(verbs);
        apiGroups = List.copyOf(apiGroups);
        resources = List.copyOf(resources);
        resourceNames = List.copyOf(resourceNames);
        nonResourceURLs = List.copyOf(nonResourceURLs);
    }

    /** A rule on resources. */
    public static PolicyRule resources(List<String> verbs, List<String> apiGroups, List<String> resources) {
        return new PolicyRule(verbs, apiGroups, resources, List.of(), List.of());
    }

    /** A rule on non-resource paths. */
    public static PolicyRule paths(List<String> verbs, List<String> urls) {
        return new PolicyRule(verbs, List.of(), List.of(), List.of(), urls);
    }

    /** This rule restricted to {@code names}. */
    public PolicyRule named(List<String> names) {
        return new PolicyRule(verbs, apiGroups, resources, names, nonResourceURLs);
    }

    /** Whether this rule allows {@code a}. */
    public boolean matches(RequestAttributes a) {
        if (!verbMatches(a.verb())) return false;
        if (!a.resourceRequest()) return pathMatches(a.path());
        return contains(apiGroups, a.apiGroup()) && resourceMatches(a.combinedResource(), a.subresource())
                && (resourceNames.isEmpty() || (!a.name().isEmpty() && resourceNames.contains(a.name())));
    }

    private boolean verbMatches(String verb) {
        return contains(verbs, verb);
    }

    private boolean resourceMatches(String combined, String subresource) {
        for (String r : resources) {
            if (r.equals(ALL) || r.equals(combined)) return true;
            if (!subresource.isEmpty() && r.length() == subresource.length() + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
        }
        return false;
    }

    private boolean pathMatches(String path) {
        for (String u : nonResourceURLs) {
            if (u.equals(ALL) || u.equals(path)) return true;
            if (u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1))) return true;
        }
        return false;
    }

    private static boolean contains(List<String> list, String value) {
        return list.contains(ALL) || list.contains(value);
    }

    /** Parses one entry of {@code rules}; missing lists are empty. */
    public static PolicyRule parse(JsonNode rule) {
        return new PolicyRule(strings(rule.path("verbs")), strings(rule.path("apiGroups")), strings(rule.path("resources")),
                strings(rule.path("resourceNames")), strings(rule.path("nonResourceURLs")));
    }

    /** Parses a Role's or ClusterRole's {@code rules}. */
    public static List<PolicyRule> parseAll(JsonNode rules) {
        List<PolicyRule> out = new ArrayList<>();
        for (JsonNode r : rules) out.add(parse(r));
        return out;
    }

    /** The rule as a {@code rules} entry (empty lists left out, as the API server stores them). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        put(o, "verbs", verbs);
        put(o, "apiGroups", apiGroups);
        put(o, "resources", resources);
        put(o, "resourceNames", resourceNames);
        put(o, "nonResourceURLs", nonResourceURLs);
        return o;
    }

    private static void put(ObjectNode o, String field, List<String> values) {
        if (values.isEmpty() && !field.equals("verbs")) return;
        ArrayNode a = o.putArray(field);
        values.forEach(a::add);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array) out.add(s.asText());
        return out;
    }
}
