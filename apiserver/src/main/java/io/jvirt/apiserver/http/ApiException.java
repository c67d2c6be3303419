package io.jvirt.apiserver.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.store.StoreException;
import java.util.List;

/**
 * A request failure that the server answers with a Kubernetes {@code Status}: HTTP code, reason and
 * message in apimachinery's formats. {@code resource} is the "plural.group" (or plural for core) name
 * used in messages; {@code kind} in details is the resource plural, as the apiserver does.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String detailKind;
    private final List<Cause> causes;

    public ApiException(int code, String reason, String message, String name, String group, String detailKind,
                        List<Cause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.detailKind = detailKind;
        this.causes = List.copyOf(causes);
    }

    public int code() { return code; }
    public String reason() { return reason; }
    public List<Cause> causes() { return causes; }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null, null, null, List.of());
    }

    public static ApiException badRequest(String message, List<Cause> causes) {
        return new ApiException(400, "BadRequest", message, null, null, null, causes);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized", null, null, null, List.of());
    }

    public static ApiException forbidden(String user, String verb, String plural, String group, String name) {
        return forbidden(user, verb, plural, group, name, null);
    }

    /** kube-apiserver's RBAC denial: {@code <what> is forbidden: User "u" cannot <verb> resource "r" in API group "g" [in the namespace "ns"]}. */
    public static ApiException forbidden(String user, String verb, String plural, String group, String name, String namespace) {
        String res = "resource \"" + plural + "\" in API group \"" + group + "\"";
        String where = namespace == null || namespace.isEmpty() ? "" : " in the namespace \"" + namespace + "\"";
        String what = (name == null ? plural + (group.isEmpty() ? "" : "." + group) : qualified(plural, group) + " \"" + name + "\"");
        return new ApiException(403, "Forbidden", what + " is forbidden: User \"" + user + "\" cannot " + verb + " " + res + where,
                name, group, plural, List.of());
    }

    public static ApiException notFound(String plural, String group, String name) {
        return new ApiException(404, "NotFound", qualified(plural, group) + " \"" + name + "\" not found",
                name, group, plural, List.of());
    }

    public static ApiException pathNotFound(String path) {
        return new ApiException(404, "NotFound", "the server could not find the requested resource", null, null, null,
                List.of());
    }

    public static ApiException alreadyExists(String plural, String group, String name) {
        return new ApiException(409, "AlreadyExists", qualified(plural, group) + " \"" + name + "\" already exists",
                name, group, plural, List.of());
    }

    public static ApiException conflict(String plural, String group, String name) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified(plural, group) + " \""
                + name + "\": the object has been modified; please apply your changes to the latest version and try again",
                name, group, plural, List.of());
    }

    public static ApiException conflict(String plural, String group, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified(plural, group) + " \""
                + name + "\": " + why, name, group, plural, List.of());
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, null, null, null, List.of());
    }

    public static ApiException expired(long requested, long oldest) {
        return new ApiException(410, "Expired", "too old resource version: " + requested + " (" + oldest + ")",
                null, null, null, List.of());
    }

    public static ApiException tooLarge() {
        return new ApiException(413, "RequestEntityTooLarge", "request entity too large: limit is 3145728",
                null, null, null, List.of());
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                + (contentType == null ? "" : " (got " + contentType + ")"), null, null, null, List.of());
    }

    /**
     * 422 Invalid in apiserver format: {@code Kind.group "name" is invalid: [field: message, ...]}.
     * Keeps the first 10 causes in the message, as kube-apiserver and KubeVirt do.
     */
    public static ApiException invalid(String kind, String group, String plural, String name, List<Cause> causes) {
        StringBuilder msg = new StringBuilder(kind).append(group.isEmpty() ? "" : "." + group)
                .append(" \"").append(name).append("\" is invalid: ");
        List<String> parts = causes.stream().limit(10)
                .map(c -> c.field() == null || c.field().isEmpty() ? c.message() : c.field() + ": " + c.message()).toList();
        msg.append(parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]");
        if (causes.size() > 10) msg.append(", and ").append(causes.size() - 10).append(" more validation errors");
        return new ApiException(422, "Invalid", msg.toString(), name, group, kind, causes);
    }

    /** kube-apiserver's 400 for a body its decoder cannot read into the kind's Go type: {@code json: cannot unmarshal string into Go struct field ...}. */
    public static ApiException decodeError(String kind, String version, com.fasterxml.jackson.databind.JsonNode value, String goField, String goType) {
        String jsonType = value.isTextual() ? "string" : value.isNumber() ? "number" : value.isBoolean() ? "bool" : value.isArray() ? "array" : "object";
        return badRequest(kind + " in version \"" + version + "\" cannot be handled as a " + kind
                + ": json: cannot unmarshal " + jsonType + " into Go struct field " + goField + " of type " + goType);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "InternalError", message, null, null, null, List.of());
    }

    /**
     * An unexpected failure of a request: 507 InsufficientStorage when the store's disk is full (the write did
     * not happen; retry once space is freed), else 500 InternalError; the message is the failure's own.
     */
    public static ApiException unexpected(Throwable failure) {
        if (failure instanceof StoreException.StorageFull full) {
            return new ApiException(507, "InsufficientStorage", "storage full, the write was not stored: "
                    + full.getMessage(), null, null, null, List.of());
        }
        return internal(String.valueOf(failure.getMessage()));
    }

    private static String qualified(String plural, String group) {
        return group == null || group.isEmpty() ? plural : plural + "." + group;
    }

    /** The Status object for this failure. */
    public ObjectNode toStatus() {
        ObjectNode s = Codec.NODES.objectNode();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (name != null || group != null || detailKind != null || !causes.isEmpty()) {
            ObjectNode d = s.putObject("details");
            if (name != null) d.put("name", name);
            if (group != null && !group.isEmpty()) d.put("group", group);
            if (detailKind != null) d.put("kind", detailKind);
            if (!causes.isEmpty()) {
                var arr = d.putArray("causes");
                for (Cause c : causes) {
                    ObjectNode o = arr.addObject().put("reason", c.reason()).put("message", c.message());
                    if (c.field() != null) o.put("field", c.field());
                }
            }
        }
        s.put("code", code);
        return s;
    }
}
