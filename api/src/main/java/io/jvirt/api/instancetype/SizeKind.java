package io.jvirt.api.instancetype;

import java.util.Locale;

/**
 * The four kinds a VirtualMachine's {@code spec.instancetype} / {@code spec.preference} may name, with how
 * KubeVirt reads the matcher's {@code kind}: case-insensitive, singular or plural resource name, and an empty
 * kind meaning the cluster-wide one. Pure.
 */
public enum SizeKind {
    INSTANCETYPE("VirtualMachineInstancetype", "virtualmachineinstancetypes", false, false),
    CLUSTER_INSTANCETYPE("VirtualMachineClusterInstancetype", "virtualmachineclusterinstancetypes", true, false),
    PREFERENCE("VirtualMachinePreference", "virtualmachinepreferences", false, true),
    CLUSTER_PREFERENCE("VirtualMachineClusterPreference", "virtualmachineclusterpreferences", true, true);

    /** The API group of all four kinds. */
    public static final String GROUP = "instancetype.kubevirt.io";
    /** The served (and stored) version. */
    public static final String VERSION = "v1beta1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private final String kind;
    private final String plural;
    private final boolean cluster;
    private final boolean preference;

    SizeKind(String kind, String plural, boolean cluster, boolean preference) {
        this.kind = kind;
        this.plural = plural;
        this.cluster = cluster;
        this.preference = preference;
    }

    public String kind() {
        return kind;
    }

    public String plural() {
        return plural;
    }

    public boolean clusterScoped() {
        return cluster;
    }

    public boolean isPreference() {
        return preference;
    }

    /**
     * The kind a matcher names: {@code spec.instancetype.kind} when {@code preference} is false, else
     * {@code spec.preference.kind}. Blank means the cluster-wide kind (KubeVirt's default).
     *
     * @throws IllegalArgumentException with KubeVirt's message for a kind it does not know
     */
    public static SizeKind ofMatcher(String matcherKind, boolean preference) {
        String k = matcherKind == null ? "" : matcherKind.toLowerCase(Locale.ROOT);
        if (k.isEmpty()) return preference ? CLUSTER_PREFERENCE : CLUSTER_INSTANCETYPE;
        for (SizeKind s : values()) {
            if (s.preference != preference) continue;
            String singular = s.kind.toLowerCase(Locale.ROOT);
            if (k.equals(singular) || k.equals(s.plural)) return s;
        }
        throw new IllegalArgumentException("got unexpected kind in " + (preference ? "PreferenceMatcher" : "InstancetypeMatcher")
                + ": " + matcherKind);
    }

    /** kube-apiserver's NotFound message for an object of this kind ({@code virtualmachineinstancetypes.instancetype.kubevirt.io "x" not found}). */
    public String notFound(String name) {
        return plural + "." + GROUP + " \"" + name + "\" not found";
    }
}
