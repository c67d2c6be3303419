package io.jvirt.controller.instancetype;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.instancetype.Expansion;
import io.jvirt.api.instancetype.SizeKind;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import io.jvirt.api.v1.VirtualMachineInstanceTemplateSpec;
import io.jvirt.controller.resource.Condition;
import io.jvirt.controller.resource.VirtualMachineResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instancetype and preference side of the VirtualMachine controller, as KubeVirt's: at every reconcile of a
 * VM whose {@code spec.instancetype} or {@code spec.preference} names one, {@link #resolve} finds the spec — from
 * the ControllerRevision the VM captured ({@code status.instancetypeRef.controllerRevisionRef}, else the matcher's
 * {@code revisionName}), else from the named object, which it then captures in a ControllerRevision
 * {@code <vm>-<object>-v1beta1-<object uid>-<generation>} owned by the VM (so later edits of the object do not
 * change the VM) and records in {@code status.instancetypeRef} / {@code preferenceRef}. A name that does not
 * resolve gives KubeVirt's Failure condition (reason {@code FailedFindInstancetype} / {@code FailedFindPreference},
 * message {@code virtualmachineinstancetypes.instancetype.kubevirt.io "x" not found}) and no VMI.
 * {@link #expand} applies what was resolved to the VMI about to be created. Reads informer caches, falling back
 * to one GET for an object the cache has not seen yet. Idempotent; thread-safe.
 */
public final class Sizing {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final KubernetesClient client;
    private final Map<SizeKind, SharedIndexInformer<GenericKubernetesResource>> objects;
    private final SharedIndexInformer<ControllerRevision> revisions;

    public Sizing(KubernetesClient client, Map<SizeKind, SharedIndexInformer<GenericKubernetesResource>> objects,
                  SharedIndexInformer<ControllerRevision> revisions) {
        this.client = client;
        this.objects = Map.copyOf(objects);
        this.revisions = revisions;
    }

    /** The resource of a kind, for informers and GETs. */
    public static ResourceDefinitionContext context(SizeKind kind) {
        return new ResourceDefinitionContext.Builder().withGroup(SizeKind.GROUP).withVersion(SizeKind.VERSION)
                .withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(!kind.clusterScoped()).build();
    }

    /**
     * What a VM's matchers resolve to.
     *
     * @param instancetype the instancetype spec, or null
     * @param preference the preference spec, or null
     * @param status the {@code instancetypeRef} / {@code preferenceRef} status fields to write (empty without matchers)
     * @param failure the Failure condition when a matcher does not resolve (then nothing else counts)
     */
    public record Resolved(JsonNode instancetype, JsonNode preference, Map<String, Object> status, Condition failure) {
        public static final Resolved NONE = new Resolved(null, null, Map.of(), null);

        public boolean any() {
            return instancetype != null || preference != null;
        }
    }

    /** Resolves (and on first sight captures) the VM's instancetype and preference. */
    public Resolved resolve(VirtualMachineResource vm, Map<String, Object> oldStatus, String now) {
        Map<String, Object> unknown = vm.getSpec().unknown() == null ? Map.of() : vm.getSpec().unknown();
        if (!unknown.containsKey("instancetype") && !unknown.containsKey("preference")) return Resolved.NONE;
        Map<String, Object> status = new LinkedHashMap<>();
        JsonNode instancetype;
        JsonNode preference;
        try {
            instancetype = one(vm, tree(unknown.get("instancetype")), tree(oldStatus == null ? null : oldStatus.get("instancetypeRef")), false, status);
            preference = one(vm, tree(unknown.get("preference")), tree(oldStatus == null ? null : oldStatus.get("preferenceRef")), true, status);
        } catch (NotFound e) {
            return new Resolved(null, null, Map.of(), Condition.of("Failure", true, e.reason, e.getMessage(), now));
        }
        return new Resolved(instancetype, preference, status, null);
    }

    /**
     * The spec of the VMI about to be created from {@code template}, with what {@code resolved} gives applied, and
     * KubeVirt's annotations naming them put into {@code annotations}.
     *
     * @throws IllegalStateException with KubeVirt's message ({@code VMI conflicts with instancetype spec in fields: [...]})
     */
    public VirtualMachineInstanceSpec expand(VirtualMachineResource vm, VirtualMachineInstanceTemplateSpec template, Resolved resolved,
                                             Map<String, String> annotations) {
        ObjectNode spec = client.getKubernetesSerialization().convertValue(template.spec(), ObjectNode.class);
        ObjectNode metadata = NODES.objectNode();
        List<String> conflicts = Expansion.apply(spec, metadata, resolved.instancetype(), resolved.preference(), "spec");
        if (!conflicts.isEmpty()) throw new IllegalStateException(Expansion.vmiConflictMessage(conflicts));
        metadata.path("annotations").properties().forEach(e -> annotations.putIfAbsent(e.getKey(), e.getValue().asText()));
        Map<String, Object> unknown = vm.getSpec().unknown();
        annotate(annotations, tree(unknown.get("instancetype")), false);
        annotate(annotations, tree(unknown.get("preference")), true);
        return client.getKubernetesSerialization().convertValue(spec, VirtualMachineInstanceSpec.class);
    }

    /** KubeVirt's {@code kubevirt.io/[cluster-]instancetype-name} and {@code kubevirt.io/[cluster-]preference-name}. */
    private static void annotate(Map<String, String> annotations, JsonNode matcher, boolean preference) {
        if (!matcher.isObject()) return;
        SizeKind kind;
        try {
            kind = SizeKind.ofMatcher(matcher.path("kind").asText(""), preference);
        } catch (IllegalArgumentException e) {
            return;
        }
        annotations.put("kubevirt.io/" + (kind.clusterScoped() ? "cluster-" : "") + (preference ? "preference" : "instancetype") + "-name",
                matcher.path("name").asText());
    }

    private static final class NotFound extends Exception {
        final String reason;

        NotFound(boolean preference, String message) {
            super(message);
            this.reason = preference ? "FailedFindPreference" : "FailedFindInstancetype";
        }
    }

    private JsonNode one(VirtualMachineResource vm, JsonNode matcher, JsonNode ref, boolean preference, Map<String, Object> status) throws NotFound {
        if (!matcher.isObject()) return null;
        String refField = preference ? "preferenceRef" : "instancetypeRef";
        String namespace = vm.getMetadata().getNamespace();
        SizeKind kind;
        try {
            kind = SizeKind.ofMatcher(matcher.path("kind").asText(""), preference);
        } catch (IllegalArgumentException e) {
            throw new NotFound(preference, e.getMessage());
        }
        String name = matcher.path("name").asText("");
        String revisionName = ref.path("controllerRevisionRef").path("name").asText("");
        if (revisionName.isEmpty()) revisionName = matcher.path("revisionName").asText("");
        JsonNode spec;
        if (!revisionName.isEmpty()) {
            ControllerRevision revision = revision(namespace, revisionName);
            if (revision == null) throw new NotFound(preference, "controllerrevisions.apps \"" + revisionName + "\" not found");
            spec = client.getKubernetesSerialization().convertValue(revision.getData(), JsonNode.class).path("spec");
        } else {
            GenericKubernetesResource object = object(kind, namespace, name);
            if (object == null) throw new NotFound(preference, kind.notFound(name));
            ControllerRevision revision = capture(vm, object);
            revisionName = revision.getMetadata().getName();
            spec = client.getKubernetesSerialization().convertValue(revision.getData(), JsonNode.class).path("spec");
        }
        Map<String, Object> statusRef = new LinkedHashMap<>();
        statusRef.put("kind", kind.kind());
        statusRef.put("name", name);
        statusRef.put("controllerRevisionRef", Map.of("name", revisionName));
        status.put(refField, statusRef);
        return spec;
    }

    private ControllerRevision revision(String namespace, String name) {
        ControllerRevision cached = revisions.getIndexer().getByKey(namespace + "/" + name);
        if (cached != null) return cached;
        return client.apps().controllerRevisions().inNamespace(namespace).withName(name).get();
    }

    private GenericKubernetesResource object(SizeKind kind, String namespace, String name) {
        if (name.isEmpty()) return null;
        GenericKubernetesResource cached = objects.get(kind).getIndexer().getByKey(kind.clusterScoped() ? name : namespace + "/" + name);
        if (cached != null) return cached;
        var resources = client.genericKubernetesResources(context(kind));
        return kind.clusterScoped() ? resources.withName(name).get() : resources.inNamespace(namespace).withName(name).get();
    }

    /** Creates the VM's ControllerRevision of {@code object}, or returns the one a previous reconcile made. */
    private ControllerRevision capture(VirtualMachineResource vm, GenericKubernetesResource object) {
        var meta = object.getMetadata();
        String name = vm.getMetadata().getName() + "-" + meta.getName() + "-" + SizeKind.VERSION + "-" + meta.getUid() + "-" + meta.getGeneration();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("apiVersion", SizeKind.API_VERSION);
        data.put("kind", object.getKind());
        Map<String, Object> dataMeta = new LinkedHashMap<>();
        dataMeta.put("name", meta.getName());
        if (meta.getNamespace() != null) dataMeta.put("namespace", meta.getNamespace());
        dataMeta.put("uid", meta.getUid());
        dataMeta.put("generation", meta.getGeneration());
        dataMeta.put("resourceVersion", meta.getResourceVersion());
        dataMeta.put("creationTimestamp", meta.getCreationTimestamp());
        data.put("metadata", dataMeta);
        data.put("spec", object.getAdditionalProperties().get("spec"));
        ControllerRevision revision = new ControllerRevision();
        revision.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(vm.getMetadata().getNamespace())
                .withLabels(Map.of(
                        "instancetype.kubevirt.io/object-kind", object.getKind(),
                        "instancetype.kubevirt.io/object-name", meta.getName(),
                        "instancetype.kubevirt.io/object-uid", meta.getUid(),
                        "instancetype.kubevirt.io/object-generation", String.valueOf(meta.getGeneration()),
                        "instancetype.kubevirt.io/object-version", SizeKind.VERSION))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(vm.getApiVersion()).withKind(vm.getKind())
                        .withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .build());
        revision.setData(data);
        revision.setRevision(0L);
        try {
            return client.apps().controllerRevisions().inNamespace(vm.getMetadata().getNamespace()).resource(revision).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) throw e;
            ControllerRevision existing = revision(vm.getMetadata().getNamespace(), name);
            if (existing == null) throw e;
            return existing;
        }
    }

    private JsonNode tree(Object value) {
        if (value == null) return NODES.missingNode();
        return client.getKubernetesSerialization().convertValue(value, JsonNode.class);
    }
}
