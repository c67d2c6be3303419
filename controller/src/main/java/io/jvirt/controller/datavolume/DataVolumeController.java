package io.jvirt.controller.datavolume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.storage.LocalVolumes;
import io.jvirt.controller.datavolume.image.DiskImport;
import io.jvirt.controller.datavolume.image.ImageRefusedException;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import io.jvirt.controller.storage.VolumeFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * CDI's DataVolume controller for jvirt's local-path volumes, per DataVolume key: creates the claim (same name,
 * owned by the DataVolume, from {@code spec.pvc} or {@code spec.storage}), waits for it to bind, then fills the
 * volume from {@code spec.source} ({@link DataVolumeSource}: http, blank, pvc clone, upload) through
 * {@link DiskImport} on a worker thread ({@link ImportJob}), and writes {@code status}: phase (Pending,
 * WaitForFirstConsumer, ImportScheduled/CloneScheduled/UploadScheduled, ImportInProgress/CloneInProgress/UploadReady,
 * Succeeded, Failed), {@code progress} ("45.20%"), {@code restartCount}, {@code claimName}, conditions Bound,
 * Ready and Running with reasons. What the work reached is kept on the claim in CDI's annotations
 * ({@value #POD_PHASE}, {@value #RESTARTS}, {@value #RUNNING_MESSAGE}), so a restarted controller resumes.
 * A transient failure (network, 5xx) is retried after 2 s × 2ⁿ (at most 5 min), counted in {@code restartCount};
 * refused content fails the DataVolume with the reason and leaves no file. Idempotent; one key at a time.
 */
public final class DataVolumeController implements Reconciler {
    public static final ResourceDefinitionContext DATA_VOLUME = new ResourceDefinitionContext.Builder().withGroup("cdi.kubevirt.io")
            .withVersion("v1beta1").withKind("DataVolume").withPlural("datavolumes").withNamespaced(true).build();
    /** CDI's claim annotations. */
    public static final String POD_PHASE = LocalVolumes.POPULATION_PHASE;
    public static final String RESTARTS = "cdi.kubevirt.io/storage.pod.restarts";
    public static final String RUNNING_MESSAGE = "cdi.kubevirt.io/storage.condition.running.message";
    public static final String UPLOAD_READY = "cdi.kubevirt.io/storage.pod.ready";
    public static final String UPLOAD_TARGET = "cdi.kubevirt.io/storage.upload.target";

    private static final System.Logger LOG = System.getLogger(DataVolumeController.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final SharedIndexInformer<GenericKubernetesResource> dataVolumes;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<StorageClass> classes;
    private final VolumeFiles files;
    private final DiskImport importer;
    private final io.jvirt.registry.RegistryConfig registries;
    private final EventRecorder events;
    private final Clock clock;
    private final Map<Key, ImportJob> jobs = new ConcurrentHashMap<>();
    private volatile Consumer<Key> wake = k -> { };

    public DataVolumeController(KubernetesClient client, SharedIndexInformer<GenericKubernetesResource> dataVolumes,
                                SharedIndexInformer<PersistentVolumeClaim> claims, SharedIndexInformer<PersistentVolume> volumes,
                                SharedIndexInformer<StorageClass> classes, VolumeFiles files, DiskImport importer,
                                io.jvirt.registry.RegistryConfig registries, EventRecorder events, Clock clock) {
        this.client = client;
        this.dataVolumes = dataVolumes;
        this.claims = claims;
        this.volumes = volumes;
        this.classes = classes;
        this.files = files;
        this.importer = importer;
        this.registries = registries;
        this.events = events;
        this.clock = clock;
    }

    /** Where a finished job sends its key (the controller's queue). */
    public void onJobEnd(Consumer<Key> wake) {
        this.wake = wake;
    }

    @Override
    public Outcome reconcile(Key key) throws Exception {
        GenericKubernetesResource dv = dataVolumes.getIndexer().getByKey(key.cacheKey());
        if (dv == null || dv.getMetadata().getDeletionTimestamp() != null) {
            ImportJob job = jobs.remove(key);
            if (job != null) job.cancel();
            return Outcome.DONE;
        }
        JsonNode spec = JSON.valueToTree(dv.getAdditionalProperties().get("spec"));
        ObjectNode old = dv.getAdditionalProperties().get("status") == null ? JSON.createObjectNode()
                : JSON.valueToTree(dv.getAdditionalProperties().get("status"));
        DataVolumeSource source;
        try {
            source = DataVolumeSource.of(spec.path("source"), key.namespace());
        } catch (IllegalArgumentException e) {
            return write(dv, old, Status.failed(key.name(), e.getMessage(), 0));
        }
        PersistentVolumeClaim pvc = claims.getIndexer().getByKey(key.cacheKey());
        if (pvc == null) {
            try {
                createClaim(dv, spec, source);
            } catch (IllegalArgumentException e) {
                return write(dv, old, Status.failed(key.name(), e.getMessage(), 0));
            }
            return write(dv, old, Status.pending(key.name(), false));
        }
        if (!ownedBy(pvc, dv)) {
            return write(dv, old, Status.failed(key.name(), "PersistentVolumeClaim " + key.name() + " already exists and is not owned by this DataVolume", 0));
        }
        int restarts = intAnnotation(pvc, RESTARTS);
        String podPhase = annotation(pvc, POD_PHASE);
        if ("Succeeded".equals(podPhase) || "Failed".equals(podPhase)) {
            jobs.remove(key); // a finished job stays until the cache shows its end, so a lagging cache never starts it again
            return write(dv, old, "Succeeded".equals(podPhase) ? Status.succeeded(key.name(), restarts)
                    : Status.failed(key.name(), annotation(pvc, RUNNING_MESSAGE), restarts));
        }
        if (!"Bound".equals(pvc.getStatus() == null ? null : pvc.getStatus().getPhase())) {
            return write(dv, old, Status.pending(key.name(), waitsForConsumer(pvc)));
        }
        PersistentVolume pv = volumes.getIndexer().getByKey(pvc.getSpec().getVolumeName());
        if (pv == null) return Outcome.DONE; // the claim's Bound reached this cache before its volume did: the volume's event brings the key back
        if (!LocalVolumes.PROVISIONER.equals(annotation(pv, LocalVolumes.PROVISIONED_BY))) {
            return write(dv, old, Status.failed(key.name(), "the claim is bound to PersistentVolume " + pvc.getSpec().getVolumeName()
                    + ", which jvirt's local-path provisioner did not make; jvirt fills only its own volumes", restarts));
        }
        ImportJob job = jobs.get(key);
        if (job == null) {
            if (source instanceof DataVolumeSource.Upload) {
                if (!"true".equals(annotation(pvc, UPLOAD_READY))) annotate(pvc, Map.of(UPLOAD_READY, "true", POD_PHASE, "Running"));
                return write(dv, old, Status.running(key.name(), source.inProgressPhase(), "N/A", restarts, "upload server is ready"));
            }
            Optional<String> blocked = cloneBlocker(source, dv);
            if (blocked.isPresent()) return write(dv, old, Status.scheduled(key.name(), source.scheduledPhase(), restarts, blocked.get()));
            if (!"Running".equals(podPhase)) annotate(pvc, Map.of(POD_PHASE, "Running"));
            start(key, source, "archive".equals(spec.path("contentType").asText()), pv);
            return write(dv, old, Status.scheduled(key.name(), source.scheduledPhase(), restarts, "import started"));
        }
        ImportJob.End end = job.end();
        if (end == null) {
            write(dv, old, Status.running(key.name(), source.inProgressPhase(), job.progress(), restarts, null));
            return Outcome.after(PROGRESS_EVERY);
        }
        switch (end) {
            case ImportJob.Done d -> {
                annotate(pvc, Map.of(POD_PHASE, "Succeeded"));
                events.record(dv, EventRecorder.NORMAL, "ImportSucceeded", "Successfully imported into PVC " + key.name());
                return write(dv, old, Status.succeeded(key.name(), restarts));
            }
            case ImportJob.Refused r -> {
                annotate(pvc, Map.of(POD_PHASE, "Failed", RUNNING_MESSAGE, r.message()));
                events.record(dv, EventRecorder.WARNING, "Error", r.message());
                return write(dv, old, Status.failed(key.name(), r.message(), restarts));
            }
            case ImportJob.Failed f -> {
                jobs.remove(key);
                int next = restarts + 1;
                annotate(pvc, Map.of(RESTARTS, Integer.toString(next), RUNNING_MESSAGE, f.message()));
                events.record(dv, EventRecorder.WARNING, "Error", "import failed (retried with backoff): " + f.message());
                Duration backoff = Duration.ofSeconds(Math.min(300, 2L << Math.min(next - 1, 8)));
                write(dv, old, Status.retrying(key.name(), source.inProgressPhase(), next, f.message()));
                return Outcome.after(backoff);
            }
        }
    }

    /**
     * Starts writing an upload into claim {@code key}: the claim of an {@code upload} DataVolume that is UploadReady,
     * or a plain claim annotated {@value #UPLOAD_TARGET} ({@code virtctl image-upload pvc}); bound to a local-path
     * volume, not populated yet, no other upload running. The DataVolume's status follows the job as an import's
     * does; a plain claim gets {@value #POD_PHASE} (and {@value #RUNNING_MESSAGE}) when it ends.
     *
     * @param length the announced number of bytes (progress), or empty
     * @throws IllegalStateException saying why the claim takes no upload now (the receiver answers 400 with it)
     */
    public ImportJob startUpload(Key key, java.io.InputStream body, java.util.OptionalLong length) {
        PersistentVolumeClaim pvc = claims.getIndexer().getByKey(key.cacheKey());
        if (pvc == null || pvc.getMetadata().getDeletionTimestamp() != null) throw new IllegalStateException("PVC " + key + " not found");
        GenericKubernetesResource dv = dataVolumes.getIndexer().getByKey(key.cacheKey());
        boolean viaDataVolume = dv != null && ownedBy(pvc, dv);
        if (viaDataVolume) {
            JsonNode source = JSON.valueToTree(dv.getAdditionalProperties().get("spec")).path("source");
            if (!source.has("upload")) throw new IllegalStateException("DataVolume " + key + " does not take uploads (its source is not upload)");
        } else if (annotation(pvc, UPLOAD_TARGET) == null) {
            throw new IllegalStateException("PVC " + key + " is not an upload target (annotation " + UPLOAD_TARGET + ")");
        }
        if ("Succeeded".equals(annotation(pvc, POD_PHASE))) throw new IllegalStateException("PVC " + key + " has already been populated");
        if (!"Bound".equals(pvc.getStatus() == null ? null : pvc.getStatus().getPhase())) throw new IllegalStateException("PVC " + key + " is not bound yet");
        PersistentVolume pv = volumes.getIndexer().getByKey(pvc.getSpec().getVolumeName());
        if (pv == null || !LocalVolumes.PROVISIONER.equals(annotation(pv, LocalVolumes.PROVISIONED_BY))) {
            throw new IllegalStateException("PVC " + key + " is not bound to a local-path volume of jvirt");
        }
        Path image = files.image(pv.getMetadata().getName(), "Block".equals(pv.getSpec().getVolumeMode()));
        long capacity = capacity(pv);
        ImportJob job = new ImportJob();
        job.total(length);
        if (jobs.putIfAbsent(key, job) != null) throw new IllegalStateException("an upload into PVC " + key + " is already running");
        return job.start("upload-" + key, j -> {
            long t0 = System.nanoTime();
            try {
                importer.importImage(body, null, image, capacity, DiskImport.ContentType.KUBEVIRT, j::read);
                logDone("Upload " + key, image, j, t0);
                if (!viaDataVolume) annotate(pvc, Map.of(POD_PHASE, "Succeeded"));
            } catch (ImageRefusedException e) {
                if (!viaDataVolume) annotate(pvc, Map.of(POD_PHASE, "Failed", RUNNING_MESSAGE, e.getMessage()));
                throw e;
            } finally {
                if (!viaDataVolume) jobs.remove(key);
            }
        }, () -> wake.accept(key));
    }

    private void start(Key key, DataVolumeSource source, boolean archive, PersistentVolume pv) {
        boolean block = "Block".equals(pv.getSpec().getVolumeMode());
        Path image = files.image(pv.getMetadata().getName(), block);
        long capacity = capacity(pv);
        DiskImport.ContentType type = archive ? DiskImport.ContentType.ARCHIVE : DiskImport.ContentType.KUBEVIRT;
        ImportJob job = new ImportJob();
        jobs.put(key, job);
        job.start("import-" + key, j -> {
            long t0 = System.nanoTime();
            switch (source) {
                case DataVolumeSource.Http http -> {
                    HttpFetch.Body body = fetch(http, key.namespace());
                    j.total(body.length());
                    importer.importImage(body.stream(), http.url().getPath(), image, capacity, type, j::read);
                }
                case DataVolumeSource.Registry r -> pull(r, key.namespace(), image, capacity, j);
                case DataVolumeSource.Blank b -> importer.blank(image, capacity);
                case DataVolumeSource.Clone c -> {
                    Path from = cloneSource(c);
                    j.total(java.util.OptionalLong.of(java.nio.file.Files.size(from)));
                    importer.cloneRaw(from, image, capacity, j::read);
                }
                default -> throw new IllegalStateException("no job for " + source);
            }
            logDone("DataVolume " + key + ": " + source.getClass().getSimpleName(), image, j, t0);
        }, () -> wake.accept(key));
    }

    /**
     * Logs a finished job with its own time, from its start (before the first byte is requested) to the image in
     * place: {@code <what> into <image> done: <n> source bytes in <s> s}. {@code bench/run import} reads this line.
     */
    private static void logDone(String what, Path image, ImportJob job, long startNanos) {
        LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "%s into %s done: %d source bytes in %.3f s",
                what, image, job.bytesRead(), (System.nanoTime() - startNanos) / 1e9));
    }

    private HttpFetch.Body fetch(DataVolumeSource.Http http, String namespace) throws Exception {
        String user = null;
        String password = null;
        if (http.secretRef() != null) {
            var secret = client.secrets().inNamespace(namespace).withName(http.secretRef()).get();
            if (secret == null) throw new ImageRefusedException("spec.source.http.secretRef: Secret " + http.secretRef() + " not found");
            user = decoded(secret.getData(), "accessKeyId");
            password = decoded(secret.getData(), "secretKey");
        }
        List<String> cas = new ArrayList<>();
        if (http.certConfigMap() != null) {
            var cm = client.configMaps().inNamespace(namespace).withName(http.certConfigMap()).get();
            if (cm == null) throw new ImageRefusedException("spec.source.http.certConfigMap: ConfigMap " + http.certConfigMap() + " not found");
            if (cm.getData() != null) cas.addAll(cm.getData().values());
        }
        return HttpFetch.get(http, user, password, cas);
    }

    /**
     * A {@code registry} source: the containerDisk image (CDI accepts only those) pulled with the registry driver
     * (every blob's digest checked; the node's mirrors and plain-HTTP registries apply, as for containerDisks), its disk file (KubeVirt's rule: the first file under {@code /disk/}) extracted
     * beside the image and imported from there like any other content; the extracted copy is removed in every case.
     * A registry that cannot be reached is worth a retry; a wrong name, refused credentials or a bad digest is not.
     */
    private void pull(DataVolumeSource.Registry r, String namespace, Path image, long capacity, ImportJob job) throws Exception {
        String url = r.url().startsWith("docker://") ? r.url().substring("docker://".length()) : r.url();
        Path staging = image.resolveSibling("registry-staging");
        try {
            io.jvirt.registry.Credentials credentials = null;
            if (r.secretRef() != null) {
                var secret = client.secrets().inNamespace(namespace).withName(r.secretRef()).get();
                if (secret == null) throw new ImageRefusedException("spec.source.registry.secretRef: Secret " + r.secretRef() + " not found");
                credentials = new io.jvirt.registry.Credentials(decoded(secret.getData(), "accessKeyId"), decoded(secret.getData(), "secretKey"));
            }
            io.jvirt.registry.ImageSource src = new io.jvirt.registry.RegistryClient(registries)
                    .open(io.jvirt.registry.ImageReference.parse(url), credentials);
            Map<String, Path> files = io.jvirt.registry.ImageFiles.extract(src, src.resolve(), io.jvirt.registry.ImageFiles.diskFilter(null), staging);
            if (files.isEmpty()) throw new ImageRefusedException("the image " + url + " holds no file under /disk/ (not a containerDisk)");
            Map.Entry<String, Path> disk = files.entrySet().iterator().next();
            job.total(java.util.OptionalLong.of(java.nio.file.Files.size(disk.getValue())));
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(disk.getValue())) {
                importer.importImage(in, disk.getKey(), image, capacity, DiskImport.ContentType.KUBEVIRT, job::read);
            }
        } catch (io.jvirt.registry.ImageException e) {
            if (e.retryable()) throw new java.io.IOException(e.getMessage(), e);
            throw new ImageRefusedException(e.getMessage());
        } finally {
            io.jvirt.registry.ImageFiles.deleteTree(staging);
        }
    }

    /** Why a clone cannot start yet (its source is not a finished local volume), if so. */
    private Optional<String> cloneBlocker(DataVolumeSource source, GenericKubernetesResource dv) {
        if (!(source instanceof DataVolumeSource.Clone c)) return Optional.empty();
        if (!c.namespace().equals(dv.getMetadata().getNamespace())) {
            return Optional.of("cloning from another namespace (" + c.namespace() + ") is not supported yet");
        }
        PersistentVolumeClaim from = claims.getIndexer().getByKey(c.namespace() + "/" + c.name());
        if (from == null) return Optional.of("source PVC " + c.namespace() + "/" + c.name() + " not found");
        if (!"Bound".equals(from.getStatus() == null ? null : from.getStatus().getPhase())) return Optional.of("source PVC " + c.name() + " is not bound yet");
        String phase = annotation(from, POD_PHASE);
        if (phase != null && !"Succeeded".equals(phase)) return Optional.of("source PVC " + c.name() + " is still being populated");
        return Optional.empty();
    }

    private Path cloneSource(DataVolumeSource.Clone c) throws ImageRefusedException {
        PersistentVolumeClaim from = claims.getIndexer().getByKey(c.namespace() + "/" + c.name());
        PersistentVolume pv = from == null ? null : volumes.getIndexer().getByKey(from.getSpec().getVolumeName());
        if (pv == null || !LocalVolumes.PROVISIONER.equals(annotation(pv, LocalVolumes.PROVISIONED_BY))) {
            throw new ImageRefusedException("source PVC " + c.name() + " is not a local-path volume of jvirt");
        }
        Path image = files.image(pv.getMetadata().getName(), "Block".equals(pv.getSpec().getVolumeMode()));
        if (!java.nio.file.Files.isRegularFile(image, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageRefusedException("source PVC " + c.name() + " holds no " + image.getFileName() + " yet");
        }
        return image;
    }

    private void createClaim(GenericKubernetesResource dv, JsonNode spec, DataVolumeSource source) {
        JsonNode claim = spec.has("pvc") ? spec.path("pvc") : spec.path("storage");
        if (claim.isMissingNode()) throw new IllegalArgumentException("spec.pvc or spec.storage is required");
        String size = claim.path("resources").path("requests").path("storage").asText("");
        if (size.isEmpty() && source instanceof DataVolumeSource.Clone c) {
            PersistentVolumeClaim from = claims.getIndexer().getByKey(c.namespace() + "/" + c.name());
            if (from != null && from.getStatus() != null && from.getStatus().getCapacity() != null) {
                size = from.getStatus().getCapacity().get("storage").toString();
            }
        }
        if (size.isEmpty()) throw new IllegalArgumentException((spec.has("pvc") ? "spec.pvc" : "spec.storage") + ".resources.requests.storage is required");
        List<String> modes = new ArrayList<>();
        claim.path("accessModes").forEach(m -> modes.add(m.asText()));
        if (modes.isEmpty()) modes.add("ReadWriteOnce");
        String volumeMode = claim.path("volumeMode").asText("Filesystem");
        if ("Block".equals(volumeMode) && "archive".equals(spec.path("contentType").asText())) {
            throw new IllegalArgumentException("contentType archive needs volumeMode Filesystem");
        }
        PersistentVolumeClaimBuilder b = new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName(dv.getMetadata().getName()).withNamespace(dv.getMetadata().getNamespace())
                .addToLabels("app", "containerized-data-importer")
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(dv.getApiVersion()).withKind(dv.getKind())
                        .withName(dv.getMetadata().getName()).withUid(dv.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec().withAccessModes(modes).withVolumeMode(volumeMode)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
                .endSpec();
        // Pending until filled: the scheduler holds a consumer pod until Succeeded, the node refuses the volume before
        b.editMetadata().addToAnnotations(POD_PHASE, "Pending").endMetadata();
        if (source instanceof DataVolumeSource.Upload) b.editMetadata().addToAnnotations(UPLOAD_TARGET, "").endMetadata();
        String bindNow = annotation(dv, LocalVolumes.BIND_IMMEDIATE);
        if (bindNow != null) b.editMetadata().addToAnnotations(LocalVolumes.BIND_IMMEDIATE, bindNow).endMetadata();
        PersistentVolumeClaim pvc = b.build();
        String sc = claim.path("storageClassName").asText("");
        if (!sc.isEmpty()) pvc.getSpec().setStorageClassName(sc);
        client.persistentVolumeClaims().inNamespace(dv.getMetadata().getNamespace()).resource(pvc).create();
    }

    private boolean waitsForConsumer(PersistentVolumeClaim pvc) {
        String name = pvc.getSpec().getStorageClassName();
        StorageClass sc = name == null ? null : classes.getIndexer().getByKey(name);
        return sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode());
    }

    private void annotate(PersistentVolumeClaim pvc, Map<String, String> annotations) {
        client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
                .edit(c -> { c.getMetadata().getAnnotations().putAll(annotations); return c; });
    }

    private Outcome write(GenericKubernetesResource dv, ObjectNode old, ObjectNode status) {
        Status.keepTransitionTimes(old, status, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        if (status.equals(old)) return Outcome.DONE;
        GenericKubernetesResource copy = client.getKubernetesSerialization().clone(dv);
        copy.getAdditionalProperties().put("status", JSON.convertValue(status, Map.class));
        client.genericKubernetesResources(DATA_VOLUME).inNamespace(dv.getMetadata().getNamespace()).resource(copy).updateStatus();
        return Outcome.DONE;
    }

    static long capacity(PersistentVolume pv) {
        return io.jvirt.api.meta.Quantity.parse(pv.getSpec().getCapacity().get("storage").toString()).toLongCeiling();
    }

    private static boolean ownedBy(PersistentVolumeClaim pvc, GenericKubernetesResource dv) {
        return pvc.getMetadata().getOwnerReferences() != null && pvc.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Objects.equals(r.getUid(), dv.getMetadata().getUid()));
    }

    private static String decoded(Map<String, String> data, String key) {
        String v = data == null ? null : data.get(key);
        return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
    }

    static String annotation(io.fabric8.kubernetes.api.model.HasMetadata o, String name) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(name);
    }

    private static int intAnnotation(PersistentVolumeClaim pvc, String name) {
        try {
            return Integer.parseInt(Objects.requireNonNullElse(annotation(pvc, name), "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** DataVolume status objects as CDI writes them. Pure. */
    static final class Status {
        private Status() {}

        static ObjectNode pending(String claim, boolean waitForConsumer) {
            return base(waitForConsumer ? "WaitForFirstConsumer" : "Pending", "N/A", 0, claim,
                    cond("Bound", false, waitForConsumer ? "WaitForFirstConsumer" : "Pending", "PVC " + claim + " Pending"),
                    cond("Ready", false, null, null), cond("Running", false, null, null));
        }

        static ObjectNode scheduled(String claim, String phase, int restarts, String message) {
            return base(phase, "N/A", restarts, claim, bound(claim), cond("Ready", false, null, null), cond("Running", false, "Pending", message));
        }

        static ObjectNode running(String claim, String phase, String progress, int restarts, String message) {
            return base(phase, progress, restarts, claim, bound(claim), cond("Ready", false, null, null), cond("Running", true, "Pod is running", message));
        }

        static ObjectNode retrying(String claim, String phase, int restarts, String message) {
            return base(phase, "N/A", restarts, claim, bound(claim), cond("Ready", false, null, null), cond("Running", false, "Error", message));
        }

        static ObjectNode succeeded(String claim, int restarts) {
            return base("Succeeded", "100.00%", restarts, claim, bound(claim), cond("Ready", true, null, null),
                    cond("Running", false, "Completed", "Import Complete"));
        }

        static ObjectNode failed(String claim, String message, int restarts) {
            return base("Failed", "N/A", restarts, claim, cond("Bound", false, "Failed", null), cond("Ready", false, null, null),
                    cond("Running", false, "Error", message));
        }

        private static ObjectNode bound(String claim) {
            return cond("Bound", true, "Bound", "PVC " + claim + " Bound");
        }

        private static ObjectNode base(String phase, String progress, int restarts, String claim, ObjectNode... conditions) {
            ObjectNode s = JSON.createObjectNode().put("phase", phase).put("progress", progress).put("restartCount", restarts).put("claimName", claim);
            ArrayNode list = s.putArray("conditions");
            for (ObjectNode c : conditions) list.add(c);
            return s;
        }

        private static ObjectNode cond(String type, boolean status, String reason, String message) {
            ObjectNode c = JSON.createObjectNode().put("type", type).put("status", status ? "True" : "False");
            if (reason != null) c.put("reason", reason);
            if (message != null) c.put("message", message);
            return c;
        }

        /** Sets each condition's lastTransitionTime (and lastHeartbeatTime) to {@code now} unless its status is unchanged. */
        static void keepTransitionTimes(ObjectNode old, ObjectNode next, String now) {
            for (JsonNode c : next.path("conditions")) {
                JsonNode before = null;
                for (JsonNode o : old.path("conditions")) {
                    if (o.path("type").equals(c.path("type"))) before = o;
                }
                boolean same = before != null && before.path("status").equals(c.path("status"));
                ObjectNode oc = (ObjectNode) c;
                oc.put("lastTransitionTime", same ? before.path("lastTransitionTime").asText(now) : now);
                oc.put("lastHeartbeatTime", same ? before.path("lastHeartbeatTime").asText(now) : now);
            }
        }
    }
}
