package io.jvirt.api.v1;

/** The versions jvirt reports, in one place: its own release and the KubeVirt API level it serves. */
public final class Versions {
    /** jvirt's release (virtctl's client version, the launcher image tag). */
    public static final String JVIRT = "v0.1.0";
    /** The KubeVirt version jvirt answers as (KubeVirt CR status, the subresources version endpoint). */
    public static final String KUBEVIRT = "v1.5.0-jvirt";

    private Versions() {
    }
}
