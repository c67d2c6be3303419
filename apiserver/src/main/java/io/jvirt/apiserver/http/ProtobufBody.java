package io.jvirt.apiserver.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Decodes the few Kubernetes protobuf request bodies kubectl sends with its typed client
 * ({@code kubectl create namespace|configmap|secret|serviceaccount}): the {@code k8s\0} envelope
 * (runtime.Unknown: typeMeta, raw) and, inside, ObjectMeta name/generateName/namespace/labels/
 * annotations plus ConfigMap data/binaryData/immutable and Secret data/type/stringData/immutable; the four
 * RBAC kinds ({@code kubectl create role|clusterrole|rolebinding|clusterrolebinding}) and the self reviews of
 * {@code kubectl auth can-i}; the TokenRequest of {@code kubectl create token}.
 * Any other kind is 415 (the client then shows the error). Pure.
 */
public final class ProtobufBody {
    public static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private ProtobufBody() {}

    private record Field(int number, int wireType, long varint, byte[] bytes) {
        String string() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** @throws ApiException 400 for a malformed body, 415 for an unsupported kind */
    public static ObjectNode decode(byte[] body) {
        if (body.length < 4 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
            throw ApiException.badRequest("protobuf body without the k8s envelope");
        }
        String apiVersion = "", kind = "";
        byte[] raw = new byte[0];
        for (Field f : fields(body, 4, body.length)) {
            if (f.number() == 1 && f.wireType() == 2) {
                for (Field t : fields(f.bytes(), 0, f.bytes().length)) {
                    if (t.number() == 1) apiVersion = t.string();
                    if (t.number() == 2) kind = t.string();
                }
            } else if (f.number() == 2 && f.wireType() == 2) {
                raw = f.bytes();
            }
        }
        ObjectNode out = Codec.NODES.objectNode();
        out.put("apiVersion", apiVersion).put("kind", kind);
        switch (kind) {
            case "Namespace", "ServiceAccount", "ConfigMap", "Secret" -> { }
            case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding" -> {
                return rbac(out, kind, raw);
            }
            case "SelfSubjectAccessReview", "SelfSubjectRulesReview" -> {
                return review(out, kind, raw);
            }
            case "PriorityClass" -> {
                return priorityClass(out, raw);
            }
            case "TokenRequest" -> {
                return tokenRequest(out, raw);
            }
            default -> throw ApiException.unsupportedMediaType(CONTENT_TYPE + " for kind " + kind);
        }
        for (Field f : fields(raw, 0, raw.length)) {
            switch (f.number()) {
                case 1 -> out.set("metadata", meta(f.bytes()));
                case 2 -> {
                    if (kind.equals("ConfigMap")) putEntry(out.withObjectProperty("data"), f.bytes(), false);
                    if (kind.equals("Secret")) putEntry(out.withObjectProperty("data"), f.bytes(), true);
                }
                case 3 -> {
                    if (kind.equals("ConfigMap")) putEntry(out.withObjectProperty("binaryData"), f.bytes(), true);
                    if (kind.equals("Secret") && f.bytes().length > 0) out.put("type", f.string());
                }
                case 4 -> {
                    if (kind.equals("ConfigMap")) out.put("immutable", f.varint() != 0);
                    if (kind.equals("Secret")) putEntry(out.withObjectProperty("stringData"), f.bytes(), false);
                }
                case 5 -> {
                    if (kind.equals("Secret")) out.put("immutable", f.varint() != 0);
                }
                default -> { }
            }
        }
        return out;
    }

    /** scheduling.k8s.io/v1 PriorityClass: metadata 1, value 2 (int32), globalDefault 3, description 4, preemptionPolicy 5. */
    private static ObjectNode priorityClass(ObjectNode out, byte[] raw) {
        for (Field f : fields(raw, 0, raw.length)) {
            switch (f.number()) {
                case 1 -> out.set("metadata", meta(f.bytes()));
                case 2 -> out.put("value", (int) f.varint());
                case 3 -> out.put("globalDefault", f.varint() != 0);
                case 4 -> out.put("description", f.string());
                case 5 -> out.put("preemptionPolicy", f.string());
                default -> { }
            }
        }
        return out;
    }

    /** authentication.k8s.io/v1 TokenRequest: metadata 1, spec 2 (audiences 1, boundObjectRef 3, expirationSeconds 4 as int64). */
    private static ObjectNode tokenRequest(ObjectNode out, byte[] raw) {
        for (Field f : fields(raw, 0, raw.length)) {
            if (f.number() == 1) out.set("metadata", meta(f.bytes()));
            if (f.number() != 2) continue;
            ObjectNode spec = out.putObject("spec");
            spec.putArray("audiences");
            for (Field g : fields(f.bytes(), 0, f.bytes().length)) {
                switch (g.number()) {
                    case 1 -> spec.withArrayProperty("audiences").add(g.string());
                    case 3 -> spec.set("boundObjectRef", strings(g.bytes(), "kind", "apiVersion", "name", "uid"));
                    case 4 -> spec.set("expirationSeconds", Codec.NODES.numberNode(g.varint()).canConvertToInt()
                            ? Codec.NODES.numberNode((int) g.varint()) : Codec.NODES.numberNode(g.varint())); // as JSON reads it
                    default -> { }
                }
            }
        }
        return out;
    }

    /** rbac.authorization.k8s.io/v1: rules (PolicyRule), aggregationRule, subjects and roleRef. */
    private static ObjectNode rbac(ObjectNode out, String kind, byte[] raw) {
        boolean binding = kind.endsWith("Binding");
        for (Field f : fields(raw, 0, raw.length)) {
            switch (f.number()) {
                case 1 -> out.set("metadata", meta(f.bytes()));
                case 2 -> {
                    if (binding) out.withArrayProperty("subjects").add(strings(f.bytes(), "kind", "apiGroup", "name", "namespace"));
                    else out.withArrayProperty("rules").add(rule(f.bytes()));
                }
                case 3 -> {
                    if (binding) out.set("roleRef", strings(f.bytes(), "apiGroup", "kind", "name"));
                    else out.set("aggregationRule", aggregationRule(f.bytes()));
                }
                default -> { }
            }
        }
        if (!binding && !out.has("rules")) out.putArray("rules");
        return out;
    }

    private static ObjectNode rule(byte[] bytes) {
        String[] names = {"verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"};
        ObjectNode r = Codec.NODES.objectNode();
        for (Field f : fields(bytes, 0, bytes.length)) {
            if (f.number() >= 1 && f.number() <= names.length) r.withArrayProperty(names[f.number() - 1]).add(f.string());
        }
        return r;
    }

    private static ObjectNode aggregationRule(byte[] bytes) {
        ObjectNode a = Codec.NODES.objectNode();
        var selectors = a.putArray("clusterRoleSelectors");
        for (Field f : fields(bytes, 0, bytes.length)) {
            if (f.number() != 1) continue;
            ObjectNode sel = selectors.addObject();
            for (Field g : fields(f.bytes(), 0, f.bytes().length)) {
                if (g.number() == 1) putEntry(sel.withObjectProperty("matchLabels"), g.bytes(), false);
                if (g.number() == 2) {
                    ObjectNode e = sel.withArrayProperty("matchExpressions").addObject();
                    for (Field h : fields(g.bytes(), 0, g.bytes().length)) {
                        if (h.number() == 1) e.put("key", h.string());
                        if (h.number() == 2) e.put("operator", h.string());
                        if (h.number() == 3) e.withArrayProperty("values").add(h.string());
                    }
                }
            }
        }
        return a;
    }

    /** authorization.k8s.io/v1 self reviews: spec.resourceAttributes / nonResourceAttributes, or spec.namespace. */
    private static ObjectNode review(ObjectNode out, String kind, byte[] raw) {
        for (Field f : fields(raw, 0, raw.length)) {
            if (f.number() == 1) out.set("metadata", meta(f.bytes()));
            if (f.number() != 2) continue;
            ObjectNode spec = out.putObject("spec");
            for (Field g : fields(f.bytes(), 0, f.bytes().length)) {
                if (kind.equals("SelfSubjectRulesReview")) {
                    if (g.number() == 1) spec.put("namespace", g.string());
                } else if (g.number() == 1) {
                    spec.set("resourceAttributes", strings(g.bytes(), "namespace", "verb", "group", "version", "resource", "subresource", "name"));
                } else if (g.number() == 2) {
                    spec.set("nonResourceAttributes", strings(g.bytes(), "path", "verb"));
                }
            }
        }
        return out;
    }

    /** A message of string fields numbered 1.. in the order of {@code names}. */
    private static ObjectNode strings(byte[] bytes, String... names) {
        ObjectNode o = Codec.NODES.objectNode();
        for (Field f : fields(bytes, 0, bytes.length)) {
            if (f.number() >= 1 && f.number() <= names.length && f.wireType() == 2 && f.bytes().length > 0) o.put(names[f.number() - 1], f.string());
        }
        return o;
    }

    private static ObjectNode meta(byte[] bytes) {
        ObjectNode m = Codec.NODES.objectNode();
        for (Field f : fields(bytes, 0, bytes.length)) {
            switch (f.number()) {
                case 1 -> { if (f.bytes().length > 0) m.put("name", f.string()); }
                case 2 -> { if (f.bytes().length > 0) m.put("generateName", f.string()); }
                case 3 -> { if (f.bytes().length > 0) m.put("namespace", f.string()); }
                case 11 -> putEntry(m.withObjectProperty("labels"), f.bytes(), false);
                case 12 -> putEntry(m.withObjectProperty("annotations"), f.bytes(), false);
                default -> { }
            }
        }
        return m;
    }

    private static void putEntry(ObjectNode map, byte[] entry, boolean base64) {
        String key = "";
        byte[] value = new byte[0];
        for (Field f : fields(entry, 0, entry.length)) {
            if (f.number() == 1) key = f.string();
            if (f.number() == 2) value = f.bytes();
        }
        map.put(key, base64 ? Base64.getEncoder().encodeToString(value) : new String(value, StandardCharsets.UTF_8));
    }

    private static List<Field> fields(byte[] b, int start, int end) {
        List<Field> out = new ArrayList<>();
        int[] pos = {start};
        while (pos[0] < end) {
            long tag = varint(b, pos, end);
            int number = (int) (tag >>> 3), wire = (int) (tag & 7);
            switch (wire) {
                case 0 -> out.add(new Field(number, wire, varint(b, pos, end), new byte[0]));
                case 1 -> { skip(pos, 8, end); out.add(new Field(number, wire, 0, new byte[0])); }
                case 5 -> { skip(pos, 4, end); out.add(new Field(number, wire, 0, new byte[0])); }
                case 2 -> {
                    long len = varint(b, pos, end);
                    if (len < 0 || pos[0] + len > end) throw ApiException.badRequest("malformed protobuf body");
                    byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + (int) len);
                    pos[0] += (int) len;
                    out.add(new Field(number, wire, 0, v));
                }
                default -> throw ApiException.badRequest("malformed protobuf body (wire type " + wire + ")");
            }
        }
        return out;
    }

    private static void skip(int[] pos, int n, int end) {
        if (pos[0] + n > end) throw ApiException.badRequest("malformed protobuf body");
        pos[0] += n;
    }

    private static long varint(byte[] b, int[] pos, int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= end) throw ApiException.badRequest("malformed protobuf body");
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw ApiException.badRequest("malformed protobuf varint");
    }
}
