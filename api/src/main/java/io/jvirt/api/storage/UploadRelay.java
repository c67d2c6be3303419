package io.jvirt.api.storage;

/**
 * The upload relay between the API server, which serves CDI's upload-proxy paths ({@code /v1beta1/upload},
 * {@code /v1beta1/upload-async}) behind an UploadTokenRequest token, and the controller's upload receiver,
 * which writes into the volume. The receiver listens on loopback and publishes Secret
 * {@value #SECRET_NAMESPACE}/{@value #SECRET_NAME} with {@value #ENDPOINT} ({@code host:port}) and
 * {@value #TOKEN} (random, new at every start); the API server forwards each upload it accepted as
 * {@code POST /upload/<namespace>/<claim>} with {@value #HEADER}: token and the original Content-Length.
 */
public final class UploadRelay {
    public static final String SECRET_NAMESPACE = "kube-system";
    public static final String SECRET_NAME = "jvirt-cdi-upload";
    public static final String ENDPOINT = "endpoint";
    public static final String TOKEN = "token";
    public static final String HEADER = "X-Jvirt-Upload-Relay";

    private UploadRelay() {}

    /** The receiver's path for an upload into claim {@code namespace/name}. */
    public static String path(String namespace, String name) {
        return "/upload/" + namespace + "/" + name;
    }
}
