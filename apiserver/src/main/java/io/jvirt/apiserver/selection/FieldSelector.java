package io.jvirt.apiserver.selection;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A parsed {@code fieldSelector}: comma-separated {@code path=value}, {@code path==value} or
 * {@code path!=value}, where path is a dotted field path such as {@code metadata.name},
 * {@code status.phase}, {@code spec.nodeName} or {@code involvedObject.uid}. A missing field compares
 * as "". Immutable, thread-safe.
 */
public final class FieldSelector implements Predicate<JsonNode> {
    private record Term(String[] path, boolean equal, String value) {}

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    /** @throws ApiException 400 on a syntax error */
    public static FieldSelector parse(String text) {
        List<Term> terms = new ArrayList<>();
        if (text == null || text.isBlank()) return new FieldSelector(terms);
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            boolean not = p.contains("!=");
            String[] kv = not ? p.split("!=", 2) : p.contains("==") ? p.split("==", 2) : p.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) throw ApiException.badRequest("invalid selector: '" + text + "'; can't understand '" + p + "'");
            terms.add(new Term(kv[0].trim().split("\\."), !not, kv[1].trim()));
        }
        return new FieldSelector(terms);
    }

    /** The value of {@code metadata.name} if the selector pins it with an equality (lets get short-circuit). */
    public String nameOrNull() {
        for (Term t : terms) {
            if (t.equal() && t.path().length == 2 && t.path()[0].equals("metadata") && t.path()[1].equals("name")) return t.value();
        }
        return null;
    }

    @Override
    public boolean test(JsonNode object) {
        for (Term t : terms) {
            JsonNode n = object;
            for (String seg : t.path()) n = n.path(seg);
            String actual = n.isValueNode() ? n.asText() : "";
            if (actual.equals(t.value()) != t.equal()) return false;
        }
        return true;
    }
}
