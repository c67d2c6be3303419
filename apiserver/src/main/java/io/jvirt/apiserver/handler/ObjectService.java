package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.admission.AdmissionChain;
import io.jvirt.apiserver.admission.AdmissionRequest;
import io.jvirt.apiserver.admission.Operation;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.patch.JsonPatch;
import io.jvirt.apiserver.patch.MergePatch;
import io.jvirt.apiserver.patch.ServerSideApply;
import io.jvirt.apiserver.resources.ResourceRegistry;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.schema.SchemaOutcome;
import io.jvirt.apiserver.schema.Ratcheting;
import io.jvirt.apiserver.schema.StructuralSchema;
import io.jvirt.apiserver.validation.CoreValidation;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ListResult;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.Preconditions;
import io.jvirt.store.StoreException;
import io.jvirt.store.StoredObject;
import java.io.IOException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verbs on stored objects (get, list, create, update, patch, delete, deletecollection) with the
 * apiserver's semantics: system metadata, generation, status subresource, admission, schema
 * defaulting/pruning/validation, optimistic concurrency, finalizers, dry run. Blocking (it writes to
 * the store): call it off the event loop. Thread-safe.
 */
public final class ObjectService {
    private static final int MAX_RETRIES = 16;
    private final ObjectStore store;
    private final ResourceRegistry registry;
    private final AdmissionChain admission;
    private final Clock clock;
    private volatile GarbageCollector gc;

    public ObjectService(ObjectStore store, ResourceRegistry registry, AdmissionChain admission, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.admission = admission;
        this.clock = clock;
    }

    void attach(GarbageCollector collector) {
        this.gc = collector;
    }

    public ObjectStore store() { return store; }

    public ResourceRegistry registry() { return registry; }

    // ---- reads ----

    /** The object, presented in {@code type}'s apiVersion. @throws ApiException 404 */
    public ObjectNode get(ResourceType type, String ns, String name) {
        return read(type, ns, name).map(s -> present(type, s)).orElseThrow(() -> notFound(type, name));
    }

    Optional<StoredObject> read(ResourceType type, String ns, String name) {
        return store.get(type.key(ns, name));
    }

    /** A page of the collection as a {@code <Kind>List}; {@code filter} null = everything. */
    public ObjectNode list(ResourceType type, String ns, Predicate<JsonNode> filter, int limit, String continueToken) {
        ListResult page;
        try {
            page = store.list(type.keyPrefix(ns), new ListOptions(limit, continueToken, filter == null ? o -> true : o -> filter.test(parse(o))));
        } catch (StoreException.Expired e) {
            throw new ApiException(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                    null, null, null, List.of());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid continue token: " + e.getMessage());
        }
        ObjectNode list = Codec.NODES.objectNode();
        list.put("apiVersion", type.apiVersion()).put("kind", type.listKind());
        ObjectNode meta = list.putObject("metadata").put("resourceVersion", Long.toString(page.resourceVersion()));
        if (page.continueToken() != null) meta.put("continue", page.continueToken());
        ArrayNode items = list.putArray("items");
        for (StoredObject o : page.items()) items.add(present(type, o));
        return list;
    }

    /** Parses stored JSON (always a valid object: the store holds what this class wrote). */
    public static ObjectNode parse(StoredObject o) {
        try {
            return (ObjectNode) Codec.JSON.readTree(o.json());
        } catch (IOException e) {
            throw new IllegalStateException("corrupt stored object " + o.key(), e);
        }
    }

    /** The stored object as seen through {@code type}'s version. */
    public static ObjectNode present(ResourceType type, StoredObject stored) {
        ObjectNode o = parse(stored);
        return present(type, o);
    }

    static ObjectNode present(ResourceType type, ObjectNode o) {
        o.put("apiVersion", type.apiVersion());
        o.put("kind", type.kind());
        return o;
    }

    // ---- create ----

    public WriteResult create(ResourceType type, String ns, ObjectNode body, WriteOptions opts) {
        List<String> warnings = new ArrayList<>();
        checkTypeFields(type, body);
        ObjectNode meta = body.withObjectProperty("metadata");
        ObjectMeta.checkTypes(type, meta);
        if (meta.path("name").asText("").isEmpty() && !meta.path("generateName").asText("").isEmpty()) {
            meta.put("name", ObjectMeta.generateName(meta.path("generateName").asText()));
        }
        if (type.namespaced()) {
            String bodyNs = meta.path("namespace").asText("");
            if (!bodyNs.isEmpty() && ns != null && !bodyNs.equals(ns)) throw namespaceMismatch();
            if (ns == null) ns = bodyNs.isEmpty() ? null : bodyNs;
            if (ns == null) throw ApiException.badRequest("the namespace of the object is required");
            meta.put("namespace", ns);
        } else {
            meta.remove("namespace");
        }
        String name = meta.path("name").asText("");
        List<Cause> metaErrors = ObjectMeta.validate(meta, ObjectMeta.nameRule(type));
        if (!metaErrors.isEmpty()) throw ApiException.invalid(type.kind(), type.group(), type.plural(), name, metaErrors);
        if (type.namespaced() && store.get(ObjectKey.cluster("", "namespaces", ns)).isEmpty()) {
            throw ApiException.notFound("namespaces", "", ns);
        }
        if (type.statusSubresource() && !type.builtin()) body.remove("status");
        ObjectMeta.initialise(meta, clock);
        if (type.kind().equals("Namespace") && type.group().isEmpty()) body.putObject("status").put("phase", "Active");
        admit(type, null, body, null, Operation.CREATE, opts, warnings);
        if (isCrd(type)) CrdRules.prepare(body, type);
        if (opts.dryRun()) return new WriteResult(201, present(type, body), warnings);
        StoredObject stored;
        try {
            stored = store.create(type.key(ns, name), Codec.toJson(body));
        } catch (StoreException.AlreadyExists e) {
            throw ApiException.alreadyExists(type.plural(), type.group(), name);
        }
        if (isCrd(type)) registry.putCrd(parse(stored));
        ObjectNode out = present(type, stored);
        if (gc != null && !meta.path("ownerReferences").isEmpty()) gc.created(type, out);
        return new WriteResult(201, out, warnings);
    }

    private static ApiException namespaceMismatch() {
        return ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }

    /**
     * apiVersion and kind of a body against the URL's resource, as kube-apiserver's decoder and handlers answer: a
     * built-in kind takes missing ones from the URL (its decoder defaults them); a custom resource needs {@code kind}
     * (400 {@code Object 'Kind' is missing in '...'}); an apiVersion of another group or an unserved version is 400
     * {@code the API version in the data (...) does not match the expected API version (...)}; another kind is 400 for
     * a built-in (its decoder cannot convert it) and 422 {@code kind: Invalid value} for a custom resource (its
     * validator's type check). Then sets both to the URL's.
     */
    private void checkTypeFields(ResourceType type, ObjectNode body) {
        for (String field : new String[] {"apiVersion", "kind"}) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                throw ObjectMeta.decodeError(type, v, "TypeMeta." + field, "string");
            }
        }
        if (body.has("metadata") && !body.get("metadata").isObject() && !body.get("metadata").isNull()) {
            throw ObjectMeta.decodeError(type, body.get("metadata"), "ObjectMeta.metadata", "v1.ObjectMeta");
        }
        String kind = body.path("kind").asText("");
        String apiVersion = body.path("apiVersion").asText("");
        if (!type.builtin() && kind.isEmpty()) {
            throw ApiException.badRequest("Object 'Kind' is missing in '" + Codec.toJson(body) + "'");
        }
        if (!(type.builtin() && apiVersion.isEmpty()) && !servedVersionOf(type, apiVersion)) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + type.apiVersion() + ")");
        }
        if (!kind.isEmpty() && !kind.equals(type.kind())) {
            if (type.builtin()) {
                throw ApiException.badRequest(kind + " in version \"" + type.version() + "\" cannot be handled as a " + type.kind()
                        + ": the kind of the body does not match the URL");
            }
            throw ApiException.invalid(type.kind(), type.group(), type.plural(), body.path("metadata").path("name").asText(""),
                    List.of(Cause.invalid("kind", "Invalid value: \"" + kind + "\": must be " + type.kind())));
        }
        body.put("apiVersion", type.apiVersion()).put("kind", type.kind());
    }

    /** Whether {@code apiVersion} is {@code type}'s group at a version the server serves it in. */
    private boolean servedVersionOf(ResourceType type, String apiVersion) {
        if (apiVersion.equals(type.apiVersion())) return true;
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        return group.equals(type.group()) && registry.find(group, version, type.plural()).isPresent();
    }

    private static boolean isCrd(ResourceType type) {
        return type.group().equals("apiextensions.k8s.io") && type.plural().equals("customresourcedefinitions");
    }

    /** Mutating admission, schema (defaults, pruning, validation, field validation mode), validating admission. */
    private void admit(ResourceType type, String sub, ObjectNode object, ObjectNode old, Operation op, WriteOptions opts,
                       List<String> warnings) {
        AdmissionRequest req = new AdmissionRequest(op, type, sub, object, old, opts.userName(), opts.dryRun(), opts.userGroups());
        if (sub == null) admission.mutate(req);
        String name = object.path("metadata").path("name").asText();
        if (isCore(type)) dropNulls(object);
        SchemaOutcome outcome = StructuralSchema.apply(type.schema(), object);
        if (!outcome.unknownFields().isEmpty()) {
            String mode = opts.fieldValidation() == null ? "Warn" : opts.fieldValidation();
            if (mode.equalsIgnoreCase("Strict")) {
                List<Cause> causes = outcome.unknownFields().stream()
                        .map(f -> new Cause("FieldValueInvalid", "unknown field \"" + f + "\"", f)).toList();
                throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                        + type.kind() + ": strict decoding error: " + String.join(", ",
                        outcome.unknownFields().stream().map(f -> "unknown field \"" + f + "\"").toList()), causes);
            }
            if (mode.equalsIgnoreCase("Warn")) outcome.unknownFields().forEach(f -> warnings.add("unknown field \"" + f + "\""));
        }
        if (isCore(type)) decodeChecks(type, object, outcome.errors());
        List<Cause> schemaErrors = outcome.errors();
        if (op == Operation.UPDATE && !type.builtin()) schemaErrors = Ratcheting.changedOnly(schemaErrors, old, object);
        if (!schemaErrors.isEmpty()) throw ApiException.invalid(type.kind(), type.group(), type.plural(), name, schemaErrors);
        if (isCore(type) && sub == null) {
            List<Cause> coreErrors = CoreValidation.validate(type.kind(), object, old);
            if (!coreErrors.isEmpty()) throw ApiException.invalid(type.kind(), type.group(), type.plural(), name, coreErrors);
        }
        if (isCrd(type)) {
            List<Cause> crdErrors = CrdRules.validate(object);
            if (!crdErrors.isEmpty()) throw ApiException.invalid(type.kind(), type.group(), type.plural(), name, crdErrors);
        }
        admission.validate(req);
    }

    /** kube-apiserver decodes a null in a core object as the field's zero value, which it then omits: drop them. */
    private static void dropNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue().isNull());
            o.forEach(ObjectService::dropNulls);
        } else if (node instanceof ArrayNode a) {
            a.forEach(ObjectService::dropNulls);
        }
    }

    private static boolean isCore(ResourceType type) {
        return type.builtin() && type.group().isEmpty();
    }

    private static final Pattern TYPE_ERROR = Pattern.compile("Invalid value: \"(\\w+)\": (\\S+) in body must be of type ([^:]+):.*", Pattern.DOTALL);

    /**
     * What kube-apiserver's typed decoder refuses in a core object, answered as it does (400 BadRequest
     * {@code Pod in version "v1" cannot be handled as a Pod: ...}): a field of the wrong JSON type (first found by
     * the schema), a quantity that does not parse, byte fields that are not base64.
     */
    private static void decodeChecks(ResourceType type, ObjectNode object, List<Cause> schemaErrors) {
        String prefix = type.kind() + " in version \"" + type.version() + "\" cannot be handled as a " + type.kind() + ": ";
        for (Cause c : schemaErrors) {
            Matcher m = TYPE_ERROR.matcher(c.message());
            if (c.reason().equals("FieldValueTypeInvalid") && m.matches()) {
                String actual = m.group(1).equals("integer") ? "number" : m.group(1).equals("boolean") ? "bool" : m.group(1);
                throw ApiException.badRequest(prefix + "json: cannot unmarshal " + actual + " into Go struct field " + type.kind() + "."
                        + m.group(2) + " of type " + m.group(3), List.of(c));
            }
        }
        String decode = CoreValidation.decodeError(type.kind(), object);
        if (decode != null) throw ApiException.badRequest(prefix + decode);
    }

    // ---- update and patch ----

    /**
     * For in-server callers only (never a URL's subresource): an update that writes spec and status in one
     * step, e.g. a VM start that sets runStrategy and queues its state-change request atomically.
     */
    public static final String SPEC_AND_STATUS = "+status";

    /** PUT: replaces the object (or its status with {@code sub = "status"}, or both with {@link #SPEC_AND_STATUS}). */
    public WriteResult update(ResourceType type, String ns, String name, String sub, ObjectNode body, WriteOptions opts) {
        checkTypeFields(type, body);
        ObjectMeta.checkTypes(type, body.path("metadata"));
        String bodyName = body.path("metadata").path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        String rvText = body.path("metadata").path("resourceVersion").asText("");
        if (rvText.isEmpty() && !type.builtin()) {
            throw ApiException.invalid(type.kind(), type.group(), type.plural(), name, List.of(Cause.invalid(
                    "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")));
        }
        long rv = parseRv(rvText);
        StoredObject current = read(type, ns, name).orElseThrow(() -> notFound(type, name));
        if (rv != 0 && rv != current.resourceVersion()) throw conflict(type, name);
        return write(type, ns, name, sub, current, body, rv != 0, opts);
    }

    /** PATCH with merge, JSON, strategic merge (built-in types) or apply (server-side apply) bodies. */
    public WriteResult patch(ResourceType type, String ns, String name, String sub, String contentType, byte[] body,
                             WriteOptions opts) {
        String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
        JsonNode patch = switch (ct) {
            case "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json" -> Codec.parseJson(body);
            case "application/apply-patch+yaml", "application/apply-patch+cbor" -> Codec.parseYaml(body);
            default -> throw ApiException.unsupportedMediaType(contentType);
        };
        if (ct.equals("application/strategic-merge-patch+json") && !type.builtin()) throw ApiException.unsupportedMediaType(contentType);
        if (ct.startsWith("application/apply-patch") && (opts.fieldManager() == null || opts.fieldManager().isEmpty())) {
            throw ApiException.badRequest("PATCH, application/apply-patch+yaml requests must supply fieldManager");
        }
        for (int attempt = 0; ; attempt++) {
            Optional<StoredObject> found = read(type, ns, name);
            if (found.isEmpty()) {
                if (ct.startsWith("application/apply-patch") && sub == null && patch.isObject()) {
                    ObjectNode applied = ServerSideApply.apply(Codec.NODES.objectNode(), (ObjectNode) patch, opts.fieldManager(), type.apiVersion(), false);
                    applied.withObjectProperty("metadata").put("name", name);
                    return create(type, ns, applied, opts);
                }
                throw notFound(type, name);
            }
            StoredObject current = found.get();
            ObjectNode live = present(type, current);
            JsonNode patched = switch (ct) {
                case "application/merge-patch+json" -> MergePatch.apply(live, patch);
                case "application/json-patch+json" -> JsonPatch.apply(live, patch);
                case "application/strategic-merge-patch+json" -> MergePatch.applyStrategic(live, patch, type.schema());
                default -> {
                    if (!patch.isObject()) throw ApiException.badRequest("an apply patch must be an object");
                    checkTypeFields(type, ((ObjectNode) patch).deepCopy());
                    yield ServerSideApply.apply(live, (ObjectNode) patch, opts.fieldManager(), type.apiVersion(), opts.force());
                }
            };
            if (!patched.isObject()) throw ApiException.badRequest("the patched object is not an object");
            ObjectNode result = (ObjectNode) patched;
            checkTypeFields(type, result);
            ObjectMeta.checkTypes(type, result.path("metadata"));
            // Only a resourceVersion the patch itself carries is a precondition; the live one it was applied
            // to is not (a patch without one is retried on a racing write, as kube-apiserver does).
            long rv = setsResourceVersion(ct, patch) ? parseRv(result.path("metadata").path("resourceVersion").asText("")) : 0;
            if (rv != 0 && rv != current.resourceVersion()) throw conflict(type, name);
            if (rv == 0) result.withObjectProperty("metadata").remove("resourceVersion");
            if (!result.path("metadata").path("name").asText(name).equals(name)) {
                throw ApiException.badRequest("the name of the object does not match the name on the URL");
            }

            try {
                return write(type, ns, name, sub, current, result, rv != 0, opts);
            } catch (StaleRead e) {
                if (attempt >= MAX_RETRIES) throw conflict(type, name);
            }
        }
    }

    private static boolean setsResourceVersion(String contentType, JsonNode patch) {
        if (contentType.equals("application/json-patch+json")) {
            for (JsonNode op : patch) if (op.path("path").asText().equals("/metadata/resourceVersion")) return true;
            return false;
        }
        return patch.path("metadata").hasNonNull("resourceVersion");
    }

    /** The stored object changed between read and write, and the caller gave no resourceVersion: retry. */
    private static final class StaleRead extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleRead() { super(null, null, false, false); }
    }

    private WriteResult write(ResourceType type, String ns, String name, String sub, StoredObject current, ObjectNode body,
                              boolean callerGaveRv, WriteOptions opts) {
        List<String> warnings = new ArrayList<>();
        ObjectNode old = present(type, current);
        ObjectNode next;
        if (SPEC_AND_STATUS.equals(sub)) {
            next = body.deepCopy();
        } else if ("status".equals(sub)) {
            next = old.deepCopy();
            if (body.has("status")) next.set("status", body.get("status"));
            else next.remove("status");
        } else if ("scale".equals(sub)) {
            next = ScaleSubresource.applyScale(type, old, body);
        } else {
            next = body.deepCopy();
            if (type.statusSubresource() && !type.builtin()) {
                if (old.has("status")) next.set("status", old.get("status"));
                else next.remove("status");
            }
        }
        ObjectNode meta = next.withObjectProperty("metadata");
        String bodyNs = meta.path("namespace").asText("");
        if (type.namespaced() && !bodyNs.isEmpty() && !bodyNs.equals(ns)) throw namespaceMismatch();
        meta.put("name", name);
        if (type.namespaced()) meta.put("namespace", ns);
        else meta.remove("namespace");
        List<Cause> causes = ObjectMeta.keepSystemFields(meta, old.path("metadata"));
        causes.addAll(ObjectMeta.validate(meta, ObjectMeta.nameRule(type)));
        if (!causes.isEmpty()) throw ApiException.invalid(type.kind(), type.group(), type.plural(), name, causes);
        next.put("apiVersion", type.apiVersion()).put("kind", type.kind());
        admit(type, sub, next, old, Operation.UPDATE, opts, warnings);
        if (specChanged(old, next)) meta.put("generation", old.path("metadata").path("generation").asLong(1) + 1);
        if (isCrd(type)) CrdRules.prepare(next, type);
        if (opts.dryRun()) return new WriteResult(200, next, warnings);
        boolean finished = meta.has("deletionTimestamp") && meta.path("finalizers").isEmpty();
        StoredObject stored;
        try {
            if (finished) {
                stored = store.delete(current.key(), Preconditions.resourceVersion(current.resourceVersion()));
                afterDelete(type, parse(stored));
            } else {
                meta.remove("resourceVersion");
                stored = store.update(current.key(), Codec.toJson(next), Preconditions.resourceVersion(current.resourceVersion()));
            }
        } catch (StoreException.Conflict e) {
            if (callerGaveRv) throw conflict(type, name);
            throw new StaleRead();
        } catch (StoreException.NotFound e) {
            throw notFound(type, name);
        }
        ObjectNode out = present(type, stored);
        if (isCrd(type) && !finished) registry.putCrd(out);
        if (!finished && meta.has("deletionTimestamp") && gc != null) gc.pending(type, out);
        return new WriteResult(200, out, warnings);
    }

    private static boolean specChanged(ObjectNode old, ObjectNode next) {
        ObjectNode a = old.deepCopy(), b = next.deepCopy();
        for (ObjectNode o : List.of(a, b)) {
            o.remove("metadata");
            o.remove("status");
            o.remove("apiVersion");
            o.remove("kind");
        }
        return !a.equals(b);
    }

    /**
     * POST pods/{name}/binding: sets {@code spec.nodeName} from the Binding's {@code target.name} if the pod
     * is not bound yet (409 Conflict if it is), as the scheduler does. Returns a Success Status, 201.
     */
    public WriteResult bind(ResourceType pods, String ns, String name, ObjectNode binding, WriteOptions opts) {
        String node = binding.path("target").path("name").asText("");
        if (node.isEmpty()) {
            throw ApiException.invalid("Binding", "", "bindings", name, List.of(Cause.required("target.name")));
        }
        for (int attempt = 0; ; attempt++) {
            StoredObject current = read(pods, ns, name).orElseThrow(() -> notFound(pods, name));
            ObjectNode pod = present(pods, current);
            admission.validate(new AdmissionRequest(Operation.CREATE, pods, "binding", binding, pod, opts.userName(), opts.dryRun()));
            String bound = pod.path("spec").path("nodeName").asText("");
            if (!bound.isEmpty()) {
                throw ApiException.conflict("pods/binding", "", name, "pod " + name + " is already assigned to node \"" + bound + "\"");
            }
            pod.withObjectProperty("spec").put("nodeName", node);
            try {
                write(pods, ns, name, null, current, pod, false, opts);
                ObjectNode ok = Codec.NODES.objectNode().put("kind", "Status").put("apiVersion", "v1");
                ok.putObject("metadata");
                ok.put("status", "Success").put("code", 201);
                return new WriteResult(201, ok, List.of());
            } catch (StaleRead e) {
                if (attempt >= MAX_RETRIES) throw conflict(pods, name);
            }
        }
    }

    // ---- delete ----

    /**
     * DELETE: honours preconditions, propagationPolicy (Background default, Foreground, Orphan),
     * finalizers (sets deletionTimestamp and keeps the object) and dry run.
     */
    public WriteResult delete(ResourceType type, String ns, String name, JsonNode options, String queryPolicy, WriteOptions opts) {
        StoredObject current = read(type, ns, name).orElseThrow(() -> notFound(type, name));
        ObjectNode live = present(type, current);
        JsonNode pre = options.path("preconditions");
        String uid = pre.path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(live.path("metadata").path("uid").asText())) {
            throw ApiException.conflict(type.plural(), type.group(), name, "Precondition failed: UID in precondition: " + uid
                    + ", UID in object meta: " + live.path("metadata").path("uid").asText());
        }
        long preRv = parseRv(pre.path("resourceVersion").asText(""));
        if (preRv != 0 && preRv != current.resourceVersion()) {
            throw ApiException.conflict(type.plural(), type.group(), name, "Precondition failed: ResourceVersion in precondition: "
                    + preRv + ", ResourceVersion in object meta: " + current.resourceVersion());
        }
        String policy = options.path("propagationPolicy").asText(queryPolicy == null ? "" : queryPolicy);
        if (policy.isEmpty() && options.has("orphanDependents")) policy = options.get("orphanDependents").asBoolean() ? "Orphan" : "Background";
        if (policy.isEmpty()) policy = "Background";
        if (!List.of("Background", "Foreground", "Orphan").contains(policy)) {
            throw ApiException.invalid("DeleteOptions", "", "", "", List.of(new Cause("FieldValueNotSupported",
                    "Unsupported value: \"" + policy + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"", "propagationPolicy")));
        }
        admission.validate(new AdmissionRequest(Operation.DELETE, type, null, null, live.deepCopy(), opts.userName(), opts.dryRun()));
        if (opts.dryRun()) return new WriteResult(200, live, List.of());
        ObjectNode meta = live.withObjectProperty("metadata");
        if (policy.equals("Orphan") && gc != null) gc.orphanDependents(live);
        boolean foreground = policy.equals("Foreground");
        if (meta.path("finalizers").isEmpty() && !foreground) {
            try {
                StoredObject gone = store.delete(current.key(), Preconditions.resourceVersion(current.resourceVersion()));
                ObjectNode out = present(type, gone);
                afterDelete(type, out);
                return new WriteResult(200, out, List.of());
            } catch (StoreException.Conflict e) {
                return delete(type, ns, name, options, queryPolicy, opts);
            } catch (StoreException.NotFound e) {
                throw notFound(type, name);
            }
        }
        if (meta.has("deletionTimestamp") && !foreground) return new WriteResult(200, live, List.of());
        ObjectNode next = live.deepCopy();
        ObjectNode nm = next.withObjectProperty("metadata");
        if (!nm.has("deletionTimestamp")) {
            nm.put("deletionTimestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
            nm.put("deletionGracePeriodSeconds", 0);
        }
        if (foreground && !ObjectMeta.contains(nm.path("finalizers"), "foregroundDeletion")) nm.withArray("finalizers").add("foregroundDeletion");
        nm.remove("resourceVersion");
        try {
            StoredObject stored = store.update(current.key(), Codec.toJson(next), Preconditions.resourceVersion(current.resourceVersion()));
            ObjectNode out = present(type, stored);
            if (gc != null) gc.pending(type, out);
            // like kube-apiserver: 202 only when the caller explicitly asked orphanDependents=false
            boolean accepted = options.has("orphanDependents") && !options.get("orphanDependents").asBoolean();
            return new WriteResult(accepted ? 202 : 200, out, List.of());
        } catch (StoreException.Conflict e) {
            return delete(type, ns, name, options, queryPolicy, opts);
        }
    }

    /** DELETE on a collection: deletes every selected object, returns them as a list. */
    public ObjectNode deleteCollection(ResourceType type, String ns, Predicate<JsonNode> filter, JsonNode options,
                                       String queryPolicy, WriteOptions opts) {
        ObjectNode list = list(type, ns, filter, 0, null);
        ArrayNode deleted = Codec.NODES.arrayNode();
        for (JsonNode item : list.path("items")) {
            try {
                deleted.add(delete(type, item.path("metadata").path("namespace").asText(null),
                        item.path("metadata").path("name").asText(), options, queryPolicy, opts).body());
            } catch (ApiException e) {
                if (e.code() != 404) throw e;
            }
        }
        list.set("items", deleted);
        return list;
    }

    private void afterDelete(ResourceType type, ObjectNode gone) {
        if (isCrd(type)) {
            registry.removeCrd(gone.path("metadata").path("name").asText());
            if (gc != null) gc.crdDeleted(gone);
        }
        if (gc != null) gc.deleted(type, gone);
    }

    // ---- helpers ----

    static long parseRv(String text) {
        if (text == null || text.isEmpty()) return 0;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resourceVersion \"" + text + "\"");
        }
    }

    private static ApiException notFound(ResourceType type, String name) {
        return ApiException.notFound(type.plural(), type.group(), name);
    }

    private static ApiException conflict(ResourceType type, String name) {
        return ApiException.conflict(type.plural(), type.group(), name);
    }
}
