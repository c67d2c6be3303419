package io.jvirt.registry;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A content descriptor of a manifest or index: what a blob is, its digest and size, and (in an index) the
 * platform of the manifest it points to.
 *
 * @param mediaType the blob's media type (may be empty in an index entry)
 * @param digest its digest
 * @param size its size in bytes, or -1 when the descriptor gives none
 * @param os platform os in an index, or empty
 * @param architecture platform architecture in an index, or empty
 */
public record Descriptor(String mediaType, Digest digest, long size, String os, String architecture) {
    static Descriptor of(JsonNode node, String where) {
        String digest = node.path("digest").asText("");
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (IllegalArgumentException e) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED, where + ": " + e.getMessage());
        }
        JsonNode platform = node.path("platform");
        return new Descriptor(node.path("mediaType").asText(""), parsed, node.path("size").asLong(-1),
                platform.path("os").asText(""), platform.path("architecture").asText(""));
    }

    /** {@code os/architecture}, or {@code unknown}. */
    public String platform() {
        return os.isEmpty() && architecture.isEmpty() ? "unknown" : os + "/" + architecture;
    }
}
