package io.jvirt.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A manifest document as a registry or an OCI layout serves it: an image manifest (OCI or Docker schema 2) or an
 * image index (OCI index or Docker manifest list). Parsing is pure; Docker schema 1 is refused.
 */
public sealed interface Manifest {
    /** The node's platform, the one an index is resolved to. */
    String OS = "linux";
    String ARCHITECTURE = "amd64";

    /** The digest of the document's bytes. */
    Digest digest();

    /** An image: its config blob and its layers, bottom first. */
    record Image(Digest digest, String mediaType, Descriptor config, List<Descriptor> layers) implements Manifest {
        public Image {
            layers = List.copyOf(layers);
        }
    }

    /** An index of images for several platforms. */
    record Index(Digest digest, String mediaType, List<Descriptor> manifests) implements Manifest {
        public Index {
            manifests = List.copyOf(manifests);
        }

        /**
         * The linux/amd64 entry (the first, when there are several).
         *
         * @throws ImageException when the index has none, naming the platforms it has
         */
        public Descriptor forNode() {
            for (Descriptor d : manifests) {
                if (OS.equals(d.os()) && ARCHITECTURE.equals(d.architecture())) {
                    return d;
                }
            }
            throw new ImageException(ImageException.Kind.NOT_FOUND, "no " + OS + "/" + ARCHITECTURE + " image in the index (it has: "
                    + String.join(", ", manifests.stream().map(Descriptor::platform).toList()) + ")");
        }
    }

    /**
     * Parses a manifest document.
     *
     * @param contentType the {@code Content-Type} it was served with, or null (the document's own
     *     {@code mediaType} wins when present)
     * @throws ImageException UNSUPPORTED for schema 1, unknown media types and documents that are no manifest
     */
    static Manifest parse(byte[] bytes, String contentType) {
        Digest digest = Digest.sha256(bytes);
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED, "the manifest is not JSON: " + e.getMessage());
        }
        if (doc == null || !doc.isObject()) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED, "the manifest is not a JSON object");
        }
        String type = doc.path("mediaType").asText("");
        if (type.isEmpty() && contentType != null) {
            type = contentType.split(";", 2)[0].strip();
        }
        if (type.equals(MediaTypes.DOCKER_SCHEMA1) || type.equals(MediaTypes.DOCKER_SCHEMA1_SIGNED) || doc.path("schemaVersion").asInt() == 1) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED, "Docker schema 1 manifests are not supported (push the image again"
                    + " with a current client: schema 2 or OCI)");
        }
        if (doc.path("schemaVersion").asInt() != 2) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED, "manifest schemaVersion must be 2, not " + doc.path("schemaVersion"));
        }
        boolean isIndex = switch (type) {
            case MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST -> true;
            case MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST -> false;
            case "", "application/json", "application/octet-stream" -> doc.has("manifests");
            default -> throw new ImageException(ImageException.Kind.UNSUPPORTED, "unsupported manifest media type " + type);
        };
        if (isIndex) {
            List<Descriptor> entries = new ArrayList<>();
            for (JsonNode m : doc.path("manifests")) {
                entries.add(Descriptor.of(m, "index entry"));
            }
            return new Index(digest, type, entries);
        }
        if (!doc.path("layers").isArray()) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED, "the manifest has no layers");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : doc.path("layers")) {
            Descriptor layer = Descriptor.of(l, "layer");
            MediaTypes.layerCompression(layer.mediaType()); // refuses layers it could not read, before any download
            layers.add(layer);
        }
        Descriptor config = doc.path("config").isObject() ? Descriptor.of(doc.path("config"), "config") : null;
        return new Image(digest, type, config, layers);
    }
}
