package io.jvirt.controller.datavolume;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code spec.source} of a DataVolume, read once; each kind says what the import needs. Pure.
 */
public sealed interface DataVolumeSource {
    /** {@code http}: url, basic-auth Secret ({@code accessKeyId}/{@code secretKey}), CA ConfigMap, extra headers. */
    record Http(URI url, String secretRef, String certConfigMap, List<String> extraHeaders) implements DataVolumeSource {}

    /** {@code blank}: an empty image. */
    record Blank() implements DataVolumeSource {}

    /** {@code pvc}: a clone of another claim. */
    record Clone(String namespace, String name) implements DataVolumeSource {}

    /** {@code upload}: the bytes come through the upload endpoint. */
    record Upload() implements DataVolumeSource {}

    /** {@code registry}: a containerDisk image ({@code docker://} URL), optionally with a basic-auth Secret. */
    record Registry(String url, String secretRef) implements DataVolumeSource {}

    /** The phase before the work starts, and while it runs (CDI's names). */
    default String scheduledPhase() {
        return switch (this) {
            case Clone c -> "CloneScheduled";
            case Upload u -> "UploadScheduled";
            default -> "ImportScheduled";
        };
    }

    default String inProgressPhase() {
        return switch (this) {
            case Clone c -> "CloneInProgress";
            case Upload u -> "UploadReady";
            default -> "ImportInProgress";
        };
    }

    /**
     * Reads {@code spec.source}.
     *
     * @param namespace the DataVolume's namespace (a clone source without one is there)
     * @throws IllegalArgumentException naming the field when the source is missing, ambiguous or not usable
     */
    static DataVolumeSource of(JsonNode source, String namespace) {
        List<String> kinds = new ArrayList<>();
        source.fieldNames().forEachRemaining(kinds::add);
        if (kinds.size() != 1) {
            throw new IllegalArgumentException("spec.source must name exactly one source (http, blank, pvc, upload, registry), found "
                    + (kinds.isEmpty() ? "none" : kinds));
        }
        JsonNode s = source.path(kinds.getFirst());
        return switch (kinds.getFirst()) {
            case "http" -> {
                String url = s.path("url").asText("");
                URI uri;
                try {
                    uri = URI.create(url);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("spec.source.http.url: '" + url + "' is not a URL: " + e.getMessage());
                }
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("spec.source.http.url: '" + url + "' must be an http:// or https:// URL");
                }
                List<String> headers = new ArrayList<>();
                for (JsonNode h : s.path("extraHeaders")) headers.add(h.asText());
                yield new Http(uri, text(s, "secretRef"), text(s, "certConfigMap"), headers);
            }
            case "blank" -> new Blank();
            case "upload" -> new Upload();
            case "pvc" -> {
                String name = text(s, "name");
                if (name == null) throw new IllegalArgumentException("spec.source.pvc.name is required");
                String ns = text(s, "namespace");
                yield new Clone(ns == null ? namespace : ns, name);
            }
            case "registry" -> {
                String url = s.path("url").asText("");
                if (url.isEmpty()) throw new IllegalArgumentException("spec.source.registry.url is required");
                yield new Registry(url, text(s, "secretRef"));
            }
            default -> throw new IllegalArgumentException("spec.source." + kinds.getFirst() + " is not supported by jvirt (http, blank, pvc, upload, registry are)");
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }
}
