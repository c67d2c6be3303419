package io.jvirt.registry;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed image reference, {@code [registry/]repository[:tag][@digest]}, with Docker's defaults: no registry
 * part means {@code docker.io}, a one-part repository on docker.io is {@code library/<name>}, and no tag and
 * no digest means {@code latest}. The first part is a registry when it has a {@code .} or a {@code :} or is
 * {@code localhost} (Docker's rule). Immutable.
 *
 * @param registry host[:port], {@code docker.io} for Docker Hub
 * @param repository path in the registry, lower case
 * @param tag the tag, or null when a digest is given without one
 * @param digest {@code algorithm:hex}, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("an image reference needs a tag or a digest");
        }
    }

    /**
     * Parses {@code text} as Docker does.
     *
     * @throws IllegalArgumentException with the reason, for anything that is not a valid reference
     */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String ref = text.strip();
        String digest = null;
        int at = ref.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(ref.substring(at + 1)).toString();
            ref = ref.substring(0, at);
        }
        String tag = null;
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon > slash) {
            tag = ref.substring(colon + 1);
            ref = ref.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid tag \"" + tag + "\" in image reference " + text);
            }
        }
        String registry = DOCKER_HUB;
        int first = ref.indexOf('/');
        if (first > 0) {
            String head = ref.substring(0, first);
            if (head.contains(".") || head.contains(":") || head.equals("localhost")) {
                if (!HOST.matcher(head).matches()) {
                    throw new IllegalArgumentException("invalid registry \"" + head + "\" in image reference " + text);
                }
                registry = head.equals("index.docker.io") ? DOCKER_HUB : head;
                ref = ref.substring(first + 1);
            }
        }
        if (ref.isEmpty()) {
            throw new IllegalArgumentException("no repository in image reference " + text);
        }
        for (String component : ref.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid repository \"" + ref + "\" in image reference " + text
                        + " (lower case letters, digits and separators only)");
            }
        }
        if (registry.equals(DOCKER_HUB) && !ref.contains("/")) {
            ref = "library/" + ref;
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, ref, tag, digest);
    }

    /** The manifest to ask for: the digest when there is one, else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** The same repository, tag and digest in another registry (a mirror). */
    public ImageReference inRegistry(String otherRegistry, String otherRepository) {
        return new ImageReference(otherRegistry, otherRepository, tag, digest);
    }

    /** {@code registry/repository}, the name mirrors and credentials are looked up by. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The host the distribution API is served on ({@code registry-1.docker.io} for Docker Hub). */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /** Kubernetes' pull policy default: Always for {@code latest} (also implied), else IfNotPresent. */
    public PullPolicy defaultPullPolicy() {
        return digest == null && "latest".equals(tag) ? PullPolicy.ALWAYS : PullPolicy.IF_NOT_PRESENT;
    }

    /** The canonical form, {@code registry/repository[:tag][@digest]}. */
    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
