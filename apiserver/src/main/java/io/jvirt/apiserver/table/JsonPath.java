package io.jvirt.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONPath subset printer columns and field selectors use: {@code .a.b}, {@code .a[0].b},
 * {@code .a[*].b}, {@code .a[?(@.k=='v')].b}. Returns all matches in document order. Pure.
 */
public final class JsonPath {
    private JsonPath() {}

    public static List<JsonNode> read(JsonNode root, String expression) {
        String expr = expression.trim();
        if (expr.startsWith("{") && expr.endsWith("}")) expr = expr.substring(1, expr.length() - 1);
        if (expr.startsWith("$")) expr = expr.substring(1);
        List<JsonNode> current = new ArrayList<>(List.of(root));
        int i = 0;
        while (i < expr.length() && !current.isEmpty()) {
            char c = expr.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < expr.length() && expr.charAt(end) != '.' && expr.charAt(end) != '[') end++;
                String name = expr.substring(i + 1, end);
                List<JsonNode> next = new ArrayList<>();
                for (JsonNode n : current) if (n.has(name)) next.add(n.get(name));
                current = next;
                i = end;
            } else if (c == '[') {
                int end = expr.indexOf(']', i);
                if (end < 0) return List.of();
                String inner = expr.substring(i + 1, end);
                current = index(current, inner);
                i = end + 1;
            } else {
                return List.of();
            }
        }
        return current;
    }

    /** The first match, or a missing node. */
    public static JsonNode first(JsonNode root, String expression) {
        List<JsonNode> all = read(root, expression);
        return all.isEmpty() ? MissingNode.getInstance() : all.get(0);
    }

    private static List<JsonNode> index(List<JsonNode> current, String inner) {
        List<JsonNode> next = new ArrayList<>();
        for (JsonNode n : current) {
            if (!n.isArray()) continue;
            if (inner.equals("*")) {
                n.forEach(next::add);
            } else if (inner.startsWith("?(@.") && inner.endsWith(")")) {
                String cond = inner.substring(4, inner.length() - 1);
                int eq = cond.indexOf("==");
                if (eq < 0) continue;
                String key = cond.substring(0, eq).trim();
                String want = cond.substring(eq + 2).trim().replaceAll("^['\"]|['\"]$", "");
                for (JsonNode e : n) if (e.path(key).asText("\0").equals(want)) next.add(e);
            } else {
                try {
                    int idx = Integer.parseInt(inner.trim());
                    if (idx < 0) idx += n.size();
                    if (idx >= 0 && idx < n.size()) next.add(n.get(idx));
                } catch (NumberFormatException e) {
                    // unsupported index form: no match
                }
            }
        }
        return next;
    }
}
