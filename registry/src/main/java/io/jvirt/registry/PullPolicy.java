package io.jvirt.registry;

/** Kubernetes' {@code imagePullPolicy} for an image the node keeps in its cache. */
public enum PullPolicy {
    /** Ask the registry for the manifest every time; blobs already cached are not fetched again. */
    ALWAYS("Always"),
    /** Use the cached image of this reference when there is one, else pull. */
    IF_NOT_PRESENT("IfNotPresent"),
    /** Only the cached image; never contact a registry. */
    NEVER("Never");

    private final String value;

    PullPolicy(String value) {
        this.value = value;
    }

    /** The API value, e.g. {@code IfNotPresent}. */
    public String value() {
        return value;
    }

    /**
     * The policy named {@code value}, or the reference's default when it is null or empty.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static PullPolicy of(String value, ImageReference ref) {
        if (value == null || value.isEmpty()) {
            return ref.defaultPullPolicy();
        }
        for (PullPolicy p : values()) {
            if (p.value.equals(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("imagePullPolicy must be Always, IfNotPresent or Never, not " + value);
    }
}
