package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvirt.api.v1.FailureReason;
import io.jvirt.api.v1.LaunchFailure;
import io.jvirt.converter.cloudinit.CloudInitIsos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * KubeVirt's config disks: a VMI's {@code configMap}, {@code secret}, {@code serviceAccount} and {@code downwardAPI}
 * volumes, each written as an ISO 9660 image (one file per key, labelled with the volume's {@code volumeLabel}, default
 * {@code cfgdata}) that the guest mounts; and the Secrets behind cloud-init's {@code secretRef} /
 * {@code networkDataSecretRef}. The objects are read through the API with the node agent's own credentials (the API
 * server lets it read exactly the ConfigMaps and Secrets a VMI names, and ask tokens for the ServiceAccounts it names).
 * Their content becomes file content in an image, never a path, a command or an argument. Stateless apart from the
 * files it writes; thread-safe.
 */
final class ConfigVolumes {
    private static final Pattern ITEM = Pattern.compile("metadata\\.(labels|annotations)\\['([^']+)'\\]");
    /** How long a serviceAccount volume's token is valid: kubelet's default for a pod's projected token. */
    static final long TOKEN_SECONDS = 3600;

    private final KubernetesClient client;
    private final Consumer<Path> giveToQemu;

    /** @param giveToQemu makes a path QEMU's user's own */
    ConfigVolumes(KubernetesClient client, Consumer<Path> giveToQemu) {
        this.client = client;
        this.giveToQemu = giveToQemu;
    }

    /** True when {@code volume} (a VMI spec volume) is one this class prepares. */
    static boolean handles(JsonNode volume) {
        return volume.has("configMap") || volume.has("secret") || volume.has("downwardAPI") || volume.has("serviceAccount");
    }

    /**
     * Writes {@code volume}'s image to {@code dir/<volume name>.iso} (0600, QEMU's user's) and returns its path; the
     * image is raw. A ConfigMap or Secret that does not exist fails, in kubelet's words, unless the volume says
     * {@code optional: true} (then the image holds no file).
     *
     * @param pod the launcher pod: the downward API's fields are its metadata, as kubelet reads them for KubeVirt's pod
     * @throws LaunchFailure ({@link FailureReason#START_ERROR}) saying which object is missing
     * @throws IllegalStateException saying which key or field the image cannot hold
     */
    Path prepare(Pod pod, JsonNode volume, Path dir) throws IOException, LaunchFailure {
        String name = volume.path("name").asText();
        String namespace = pod.getMetadata().getNamespace();
        Map<String, byte[]> files;
        String label;
        if (volume.has("configMap")) {
            JsonNode source = volume.path("configMap");
            label = source.path("volumeLabel").asText(null);
            files = configMapFiles(name, namespace, source.path("name").asText(), source.path("optional").asBoolean(false));
        } else if (volume.has("secret")) {
            JsonNode source = volume.path("secret");
            label = source.path("volumeLabel").asText(null);
            Secret secret = secret(namespace, source.path("secretName").asText());
            if (secret == null && !source.path("optional").asBoolean(false)) {
                throw missing(name, "secret", source.path("secretName").asText());
            }
            files = secret == null ? Map.of() : secretData(secret);
        } else if (volume.has("serviceAccount")) {
            label = null;
            files = serviceAccountFiles(name, namespace, volume.path("serviceAccount").path("serviceAccountName").asText());
        } else {
            JsonNode source = volume.path("downwardAPI");
            label = source.path("volumeLabel").asText(null);
            files = downwardApiFiles(name, pod.getMetadata(), source.path("fields"));
        }
        byte[] iso;
        try {
            iso = CloudInitIsos.configDisk(label, files);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("volume " + name + ": " + e.getMessage(), e);
        }
        Path file = dir.resolve(name + ".iso");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, iso);
        giveToQemu.accept(file);
        return file;
    }

    /**
     * The data of every Secret the VMI's cloud-init volumes name ({@code secretRef}, {@code networkDataSecretRef} of
     * {@code cloudInitNoCloud} and {@code cloudInitConfigDrive}): secret name → key → bytes, for the converter's
     * cloud-init writer. A missing Secret fails ({@link FailureReason#START_ERROR}) in kubelet's words (KubeVirt mounts
     * it into its launcher pod).
     */
    Map<String, Map<String, byte[]>> cloudInitSecrets(String namespace, JsonNode volumes) throws LaunchFailure {
        Map<String, Map<String, byte[]>> out = new TreeMap<>();
        for (JsonNode v : volumes) {
            for (String kind : new String[] {"cloudInitNoCloud", "cloudInitConfigDrive"}) {
                for (String ref : new String[] {"secretRef", "networkDataSecretRef"}) {
                    String secretName = v.path(kind).path(ref).path("name").asText("");
                    if (secretName.isEmpty() || out.containsKey(secretName)) {
                        continue;
                    }
                    Secret secret = secret(namespace, secretName);
                    if (secret == null) {
                        throw missing(v.path("name").asText(), "secret", secretName);
                    }
                    out.put(secretName, secretData(secret));
                }
            }
        }
        return out;
    }

    /**
     * What a pod finds in {@code /var/run/secrets/kubernetes.io/serviceaccount}: {@code token} (from the API server's
     * TokenRequest, valid {@value #TOKEN_SECONDS} s, as kubelet's projected token), {@code ca.crt} (the CA this agent
     * trusts the API server by) and {@code namespace}.
     */
    private Map<String, byte[]> serviceAccountFiles(String volume, String namespace, String account) throws IOException, LaunchFailure {
        TokenRequest answer;
        try {
            answer = client.serviceAccounts().inNamespace(namespace).withName(account)
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec().build());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw missing(volume, "serviceaccount", account);
            }
            throw e;
        }
        Map<String, byte[]> files = new TreeMap<>();
        files.put("token", answer.getStatus().getToken().getBytes(StandardCharsets.UTF_8));
        files.put("namespace", namespace.getBytes(StandardCharsets.UTF_8));
        String caData = client.getConfiguration().getCaCertData();
        String caFile = client.getConfiguration().getCaCertFile();
        if (caData != null && !caData.isBlank()) {
            files.put("ca.crt", Base64.getMimeDecoder().decode(caData));
        } else if (caFile != null && !caFile.isBlank()) {
            files.put("ca.crt", Files.readAllBytes(Path.of(caFile)));
        }
        return files;
    }

    private Map<String, byte[]> configMapFiles(String volume, String namespace, String name, boolean optional) throws LaunchFailure {
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
        if (map == null) {
            if (optional) {
                return Map.of();
            }
            throw missing(volume, "configmap", name);
        }
        Map<String, byte[]> files = new TreeMap<>();
        if (map.getData() != null) {
            map.getData().forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        if (map.getBinaryData() != null) {
            map.getBinaryData().forEach((k, v) -> files.put(k, Base64.getMimeDecoder().decode(v)));
        }
        return files;
    }

    private Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    private static Map<String, byte[]> secretData(Secret secret) {
        Map<String, byte[]> files = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> files.put(k, Base64.getMimeDecoder().decode(v)));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        return files;
    }

    /**
     * One file per entry of {@code fields}: {@code fieldRef.fieldPath} {@code metadata.name}, {@code .namespace},
     * {@code .uid}, {@code .labels}, {@code .annotations} (kubelet's format: sorted {@code key="value"} lines) or one
     * label or annotation ({@code metadata.labels['key']}); what the Downward API allows in a volume.
     */
    static Map<String, byte[]> downwardApiFiles(String volume, ObjectMeta meta, JsonNode fields) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (JsonNode field : fields) {
            String path = field.path("path").asText();
            String fieldPath = field.path("fieldRef").path("fieldPath").asText("");
            if (fieldPath.isEmpty()) {
                throw new IllegalStateException("volume " + volume + ": downwardAPI field '" + path
                        + "': only fieldRef is supported (metadata.name, namespace, uid, labels, annotations)");
            }
            files.put(path, fieldValue(volume, meta, fieldPath).getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    private static String fieldValue(String volume, ObjectMeta meta, String fieldPath) {
        Matcher item = ITEM.matcher(fieldPath);
        if (item.matches()) {
            Map<String, String> values = item.group(1).equals("labels") ? meta.getLabels() : meta.getAnnotations();
            return values == null ? "" : values.getOrDefault(item.group(2), "");
        }
        return switch (fieldPath) {
            case "metadata.name" -> meta.getName();
            case "metadata.namespace" -> meta.getNamespace();
            case "metadata.uid" -> meta.getUid();
            case "metadata.labels" -> keyValueLines(meta.getLabels());
            case "metadata.annotations" -> keyValueLines(meta.getAnnotations());
            default -> throw new IllegalStateException("volume " + volume + ": downwardAPI fieldPath '" + fieldPath
                    + "' is not supported in a volume (metadata.name, namespace, uid, labels, annotations, labels['k'], annotations['k'])");
        };
    }

    private static String keyValueLines(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(values == null ? Map.of() : values).forEach((k, v) -> {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        });
        return out.toString();
    }

    private static LaunchFailure missing(String volume, String kind, String name) {
        return new LaunchFailure(FailureReason.START_ERROR, "MountVolume.SetUp failed for volume \"" + volume + "\" : " + kind + " \"" + name + "\" not found");
    }
}
