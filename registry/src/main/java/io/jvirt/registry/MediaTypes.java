package io.jvirt.registry;

import java.util.List;

/** The manifest and layer media types the client reads (OCI and Docker schema 2). */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** What a manifest request accepts, in the {@code Accept} header. */
    public static final List<String> MANIFESTS = List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

    private MediaTypes() {}

    /** How a layer of {@code mediaType} is compressed. */
    public static Compression layerCompression(String mediaType) {
        return switch (mediaType == null ? "" : mediaType) {
            case OCI_LAYER, "application/vnd.oci.image.layer.nondistributable.v1.tar" -> Compression.NONE;
            case OCI_LAYER_GZIP, DOCKER_LAYER_GZIP, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" -> Compression.GZIP;
            default -> throw new ImageException(ImageException.Kind.UNSUPPORTED, "unsupported layer media type " + mediaType
                    + " (tar and tar+gzip layers only)");
        };
    }

    /** Layer compression. */
    public enum Compression { NONE, GZIP }
}
