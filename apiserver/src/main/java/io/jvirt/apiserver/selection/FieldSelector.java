package io.jvirt.apiserver.selection;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A parsed {@code fieldSelector}: comma-separated {@code path=value}, {@code path==value} or
 * {@code path!=value} (apimachinery's grammar and messages), where path is a dotted field path such as {@code metadata.name},
 * {@code status.phase}, {@code spec.nodeName} or {@code involvedObject.uid}. A missing field compares
 * as "". Immutable, thread-safe.
 */
public final class FieldSelector implements Predicate<JsonNode> {
    private record Term(String[] path, boolean equal, String value) {}

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    /**
     * Parses as apimachinery's {@code fields.ParseSelector}: terms split at unescaped commas, each split at its first
     * {@code !=}, {@code ==} or {@code =}; in a value {@code \,}, {@code \=} and a doubled backslash are escapes and a bare
     * {@code ,} or {@code =} is an error.
     *
     * @throws ApiException 400 with kube-apiserver's message on a selector that does not parse
     */
    public static FieldSelector parse(String text) {
        List<Term> terms = new ArrayList<>();
        if (text == null || text.isEmpty()) return new FieldSelector(terms);
        for (String part : splitTerms(text)) {
            if (part.isEmpty()) continue;
            int at = -1;
            String op = null;
            for (int i = 0; i < part.length() && op == null; i++) {
                for (String candidate : new String[] {"!=", "==", "="}) {
                    if (part.startsWith(candidate, i)) {
                        at = i;
                        op = candidate;
                        break;
                    }
                }
            }
            if (op == null) throw ApiException.badRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
            String field = part.substring(0, at);
            String value = unescape(part.substring(at + op.length()));
            if (field.isEmpty()) throw ApiException.badRequest("field label not supported: " + field);
            terms.add(new Term(field.split("\\."), !op.equals("!="), value));
        }
        return new FieldSelector(terms);
    }

    private static List<String> splitTerms(String text) {
        List<String> terms = new ArrayList<>();
        int start = 0;
        boolean escaped = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == ',') {
                terms.add(text.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(text.substring(start));
        return terms;
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (escaped) {
                if (c != '\\' && c != ',' && c != '=') {
                    throw ApiException.badRequest("invalid field selector: invalid escape sequence: \\" + c);
                }
                out.append(c);
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == ',' || c == '=') {
                // (sic) Go prints the rune as its number
                throw ApiException.badRequest("invalid field selector: unescaped character in value: " + (int) c);
            } else {
                out.append(c);
            }
        }
        if (escaped) throw ApiException.badRequest("invalid field selector: invalid escape sequence: \\");
        return out.toString();
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
