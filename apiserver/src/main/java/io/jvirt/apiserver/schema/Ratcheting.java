package io.jvirt.apiserver.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.jvirt.apiserver.http.Cause;
import java.util.List;

/**
 * kube-apiserver's validation ratcheting for custom resources (CRDValidationRatcheting, on by default
 * since Kubernetes 1.30): on an update, a schema error in a value the update leaves as it was is not
 * an error. So an object stored before a rule existed (a quantity the CRD's pattern now refuses) can
 * still have its status, finalizers and labels written — by the controllers that report why they
 * cannot run it — while a changed or new value must pass. Pure.
 */
public final class Ratcheting {
    private Ratcheting() {}

    /** The errors whose field has a different value in {@code next} than in {@code old} (absent counts as a value). */
    public static List<Cause> changedOnly(List<Cause> errors, JsonNode old, JsonNode next) {
        return errors.stream().filter(e -> e.field() == null || !at(old, e.field()).equals(at(next, e.field()))).toList();
    }

    /**
     * The value at a cause's field path ({@code spec.domain.memory.guest}, {@code spec.volumes[0].name});
     * {@link MissingNode} when absent. {@code <root>} is the whole object.
     */
    static JsonNode at(JsonNode root, String path) {
        if (root == null) return MissingNode.getInstance();
        if (path.isEmpty() || path.equals("<root>")) return root;
        JsonNode node = root;
        int i = 0;
        while (i < path.length() && !node.isMissingNode()) {
            char c = path.charAt(i);
            if (c == '.') {
                i++;
            } else if (c == '[') {
                int end = path.indexOf(']', i);
                if (end < 0) return MissingNode.getInstance();
                try {
                    node = node.path(Integer.parseInt(path.substring(i + 1, end)));
                } catch (NumberFormatException e) {
                    return MissingNode.getInstance();
                }
                i = end + 1;
            } else {
                int end = i;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') end++;
                node = node.path(path.substring(i, end));
                i = end;
            }
        }
        return node;
    }
}
