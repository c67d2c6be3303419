package io.jvirt.apiserver.selection;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A parsed {@code labelSelector}: comma-separated requirements {@code k=v}, {@code k==v}, {@code k!=v},
 * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}. Immutable, thread-safe.
 */
public final class LabelSelector implements Predicate<JsonNode> {
    private record Requirement(String key, String op, Set<String> values) {}

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    /** @throws ApiException 400 on a syntax error */
    public static LabelSelector parse(String text) {
        List<Requirement> reqs = new ArrayList<>();
        if (text == null || text.isBlank()) return new LabelSelector(reqs);
        for (String part : splitTopLevel(text)) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            String[] words = p.split("\\s+", 2);
            if (words.length == 2 && (words[1].startsWith("in ") || words[1].startsWith("in(") || words[1].startsWith("notin"))) {
                String op = words[1].startsWith("notin") ? "notin" : "in";
                String rest = words[1].substring(op.length()).trim();
                if (!rest.startsWith("(") || !rest.endsWith(")")) throw ApiException.badRequest("unable to parse requirement: " + p);
                Set<String> vals = Set.of(rest.substring(1, rest.length() - 1).trim().split("\\s*,\\s*"));
                reqs.add(new Requirement(words[0], op, vals));
            } else if (p.contains("!=")) {
                String[] kv = p.split("!=", 2);
                reqs.add(new Requirement(kv[0].trim(), "!=", Set.of(kv[1].trim())));
            } else if (p.contains("==")) {
                String[] kv = p.split("==", 2);
                reqs.add(new Requirement(kv[0].trim(), "=", Set.of(kv[1].trim())));
            } else if (p.contains("=")) {
                String[] kv = p.split("=", 2);
                reqs.add(new Requirement(kv[0].trim(), "=", Set.of(kv[1].trim())));
            } else if (p.startsWith("!")) {
                reqs.add(new Requirement(p.substring(1).trim(), "!exists", Set.of()));
            } else if (p.matches("[A-Za-z0-9./_-]+")) {
                reqs.add(new Requirement(p, "exists", Set.of()));
            } else {
                throw ApiException.badRequest("unable to parse requirement: " + p);
            }
        }
        return new LabelSelector(reqs);
    }

    private static List<String> splitTopLevel(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    /** Whether the object's metadata.labels satisfy every requirement. */
    @Override
    public boolean test(JsonNode object) {
        JsonNode labels = object.path("metadata").path("labels");
        for (Requirement r : requirements) {
            boolean has = labels.has(r.key());
            String v = labels.path(r.key()).asText();
            boolean ok = switch (r.op()) {
                case "=", "in" -> has && r.values().contains(v);
                case "!=", "notin" -> !has || !r.values().contains(v);
                case "exists" -> has;
                default -> !has;
            };
            if (!ok) return false;
        }
        return true;
    }
}
