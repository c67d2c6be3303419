package io.jvirt.registry;

/**
 * Why an image could not be had, with the registry's own message where it sent one. The {@link Kind} tells a
 * caller whether trying again may help ({@link #retryable()}).
 */
public final class ImageException extends RuntimeException {
    /** What went wrong. */
    public enum Kind {
        /** The registry does not know the repository, tag or digest. */
        NOT_FOUND(false),
        /** Credentials are missing or refused. */
        UNAUTHORIZED(false),
        /** A blob or manifest whose bytes do not match its digest (or size): refused, nothing kept. */
        DIGEST_MISMATCH(false),
        /** A manifest, index or layer jvirt cannot read. */
        UNSUPPORTED(false),
        /** The image has no file where one was asked for (no {@code /disk/} file, no kernel at kernelPath). */
        NO_SUCH_FILE(false),
        /** The registry could not be reached or answered with a server error: may pass. */
        UNAVAILABLE(true),
        /** The reference itself is not valid. */
        INVALID_REFERENCE(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }
    }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True when the same pull may succeed later without any change (network, 5xx, 429). */
    public boolean retryable() {
        return kind.retryable;
    }
}
