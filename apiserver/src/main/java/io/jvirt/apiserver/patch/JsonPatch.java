package io.jvirt.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Patch (RFC 6902): add, remove, replace, move, copy, test. Pure: returns a new tree.
 * A malformed patch or a failed test is a 422 in the apiserver; jvirt answers such problems with
 * {@link ApiException} (422 Invalid for failed operations, 400 for a malformed document).
 */
public final class JsonPatch {
    private JsonPatch() {}

    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) throw ApiException.badRequest("a JSON patch must be an array of operations");
        JsonNode doc = target.deepCopy();
        for (JsonNode op : patch) {
            String kind = op.path("op").asText();
            String path = op.path("path").asText(null);
            if (path == null) throw ApiException.badRequest("JSON patch operation without path: " + op);
            switch (kind) {
                case "add" -> doc = add(doc, path, required(op, "value"));
                case "remove" -> doc = remove(doc, path);
                case "replace" -> {
                    get(doc, path);
                    doc = add(remove(doc, path), path, required(op, "value"));
                }
                case "move" -> {
                    String from = op.path("from").asText();
                    JsonNode v = get(doc, from);
                    doc = add(remove(doc, from), path, v);
                }
                case "copy" -> doc = add(doc, path, get(doc, op.path("from").asText()).deepCopy());
                case "test" -> {
                    if (!get(doc, path).equals(op.get("value"))) throw failed("testing value " + path + " failed");
                }
                default -> throw ApiException.badRequest("unknown JSON patch operation \"" + kind + "\"");
            }
        }
        return doc;
    }

    private static JsonNode required(JsonNode op, String field) {
        if (!op.has(field)) throw ApiException.badRequest("JSON patch operation lacks \"" + field + "\": " + op);
        return op.get(field);
    }

    private static List<String> tokens(String path) {
        if (path.isEmpty()) return List.of();
        if (!path.startsWith("/")) throw ApiException.badRequest("invalid JSON pointer: " + path);
        List<String> out = new ArrayList<>();
        for (String t : path.substring(1).split("/", -1)) out.add(t.replace("~1", "/").replace("~0", "~"));
        return out;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            if (cur.isObject() && cur.has(t)) cur = cur.get(t);
            else if (cur.isArray() && isIndex(t) && Integer.parseInt(t) < cur.size()) cur = cur.get(Integer.parseInt(t));
            else throw failed("path " + path + " does not exist");
        }
        return cur;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        List<String> t = tokens(path);
        if (t.isEmpty()) return value.deepCopy();
        JsonNode parent = get(doc, pointer(t.subList(0, t.size() - 1)));
        String last = t.get(t.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value.deepCopy());
        } else if (parent.isArray()) {
            ArrayNode arr = (ArrayNode) parent;
            if (last.equals("-")) arr.add(value.deepCopy());
            else if (isIndex(last) && Integer.parseInt(last) <= arr.size()) arr.insert(Integer.parseInt(last), value.deepCopy());
            else throw failed("index " + last + " out of range in " + path);
        } else {
            throw failed("cannot add to a scalar at " + path);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        List<String> t = tokens(path);
        if (t.isEmpty()) throw failed("cannot remove the root");
        JsonNode parent = get(doc, pointer(t.subList(0, t.size() - 1)));
        String last = t.get(t.size() - 1);
        if (parent.isObject() && parent.has(last)) ((ObjectNode) parent).remove(last);
        else if (parent.isArray() && isIndex(last) && Integer.parseInt(last) < parent.size()) ((ArrayNode) parent).remove(Integer.parseInt(last));
        else throw failed("path " + path + " does not exist");
        return doc;
    }

    private static String pointer(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) sb.append('/').append(t.replace("~", "~0").replace("/", "~1"));
        return sb.toString();
    }

    private static boolean isIndex(String t) {
        return !t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() < 10;
    }

    private static ApiException failed(String message) {
        return new ApiException(422, "Invalid", "the server rejected our request due to an error in our request: " + message,
                null, null, null, List.of());
    }
}
