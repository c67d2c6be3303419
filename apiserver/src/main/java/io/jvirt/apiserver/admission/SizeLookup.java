package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.api.instancetype.SizeKind;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Finds the instancetype or preference spec a VirtualMachine's matcher names, in the store, as KubeVirt's
 * admission finds it: the ControllerRevision the VM already captured ({@code status.instancetypeRef
 * .controllerRevisionRef.name}, else the matcher's {@code revisionName}), else the named object of the matcher's
 * kind (namespaced in the VM's namespace, or cluster-wide). Reads at each call. Thread-safe.
 */
final class SizeLookup {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectStore store;

    SizeLookup(ObjectStore store) {
        this.store = store;
    }

    /** Why a referenced object could not be found: KubeVirt's wording of the lookup error. */
    static final class NotFound extends Exception {
        NotFound(String message) {
            super(message);
        }
    }

    /**
     * The spec the matcher of {@code vm} ({@code spec.instancetype} or, with {@code preference}, {@code
     * spec.preference}) resolves to; empty when the VM has no such matcher.
     *
     * @param status the VM status holding the captured revisions (the stored one on update)
     */
    Optional<JsonNode> find(JsonNode vm, JsonNode status, boolean preference) throws NotFound {
        JsonNode matcher = vm.path("spec").path(preference ? "preference" : "instancetype");
        if (!matcher.isObject()) return Optional.empty();
        String namespace = vm.path("metadata").path("namespace").asText("");
        String revision = status.path(preference ? "preferenceRef" : "instancetypeRef").path("controllerRevisionRef").path("name").asText("");
        if (revision.isEmpty()) revision = matcher.path("revisionName").asText("");
        if (!revision.isEmpty()) {
            JsonNode stored = read("apps", "controllerrevisions", namespace, revision)
                    .orElseThrow(() -> new NotFound("controllerrevisions.apps \"" + matcherName(matcher) + "\" not found"));
            return Optional.of(stored.path("data").path("spec"));
        }
        SizeKind kind;
        try {
            kind = SizeKind.ofMatcher(matcher.path("kind").asText(""), preference);
        } catch (IllegalArgumentException e) {
            throw new NotFound(e.getMessage());
        }
        String name = matcher.path("name").asText("");
        return Optional.of(read(SizeKind.GROUP, kind.plural(), kind.clusterScoped() ? "" : namespace, name)
                .orElseThrow(() -> new NotFound(kind.notFound(name))).path("spec"));
    }

    private static String matcherName(JsonNode matcher) {
        return matcher.path("revisionName").asText(matcher.path("name").asText());
    }

    /** A stored object, empty when it does not exist (or the name could not be a key). */
    Optional<JsonNode> read(String group, String resource, String namespace, String name) {
        if (name.isEmpty() || name.contains("/") || namespace.contains("/")) return Optional.empty();
        Optional<StoredObject> stored = store.get(new ObjectKey(group, resource, namespace, name));
        if (stored.isEmpty()) return Optional.empty();
        try {
            return Optional.of(JSON.readTree(stored.get().json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
