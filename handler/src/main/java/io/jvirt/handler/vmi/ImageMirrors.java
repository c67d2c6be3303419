package io.jvirt.handler.vmi;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a containerDisk image reference to a local OCI image layout (pure, immutable, thread-safe).
 * Tags and digests are ignored, {@code docker.io/} and {@code index.docker.io/} prefixes dropped.
 * Out of the box KubeVirt's demo names ({@code registry:5000/kubevirt/cirros-container-disk-demo},
 * {@code quay.io/kubevirt/cirros-container-disk-demo}, {@code kubevirt/cirros-container-disk-demo})
 * answer with the project's demo containerDisk; configured mirrors add or override names.
 */
public final class ImageMirrors {
    public static final String DEMO_REPOSITORY = "kubevirt/cirros-container-disk-demo";
    private final Map<String, Path> layouts;

    private ImageMirrors(Map<String, Path> layouts) {
        this.layouts = Map.copyOf(layouts);
    }

    /**
     * @param demoLayout the demo containerDisk layout ({@code $build/images/demo/containerdisk}), or null
     * @param mirrors configured image name → OCI layout directory
     */
    public static ImageMirrors of(Path demoLayout, Map<String, Path> mirrors) {
        Map<String, Path> all = new HashMap<>();
        if (demoLayout != null) {
            for (String name : new String[] {"registry:5000/" + DEMO_REPOSITORY, "quay.io/" + DEMO_REPOSITORY, DEMO_REPOSITORY}) {
                all.put(name, demoLayout);
            }
        }
        mirrors.forEach((name, layout) -> all.put(repository(name), layout));
        return new ImageMirrors(all);
    }

    /** The OCI layout serving {@code image}, if any. */
    public Optional<Path> resolve(String image) {
        return Optional.ofNullable(layouts.get(repository(image)));
    }

    /** The repository part of a reference: no digest, no tag, no docker.io prefix. */
    static String repository(String image) {
        String ref = image.strip();
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon > slash) {
            ref = ref.substring(0, colon);
        }
        for (String prefix : new String[] {"docker.io/", "index.docker.io/"}) {
            if (ref.startsWith(prefix)) {
                ref = ref.substring(prefix.length());
            }
        }
        return ref;
    }
}
