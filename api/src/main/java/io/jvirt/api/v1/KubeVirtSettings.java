package io.jvirt.api.v1;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings jvirt takes live from the {@code KubeVirt} custom resource {@code kubevirt/kubevirt}
 * ({@code spec.configuration}), KubeVirt's one place for cluster-wide configuration:
 *
 * @param useEmulation {@code developerConfiguration.useEmulation}: run every new VMI under TCG even
 *     where KVM works (without it jvirt uses KVM when a probe guest runs under it, else TCG)
 * @param cpuAllocationRatio {@code developerConfiguration.cpuAllocationRatio}: launcher pods request
 *     1000m / ratio per vCPU (KubeVirt's default 10: 100m)
 * @param featureGates {@code developerConfiguration.featureGates}, as given
 */
public record KubeVirtSettings(boolean useEmulation, int cpuAllocationRatio, List<String> featureGates) {
    public static final String NAMESPACE = "kubevirt";
    public static final String NAME = "kubevirt";
    public static final KubeVirtSettings DEFAULTS = new KubeVirtSettings(false, 10, List.of());

    public KubeVirtSettings {
        if (cpuAllocationRatio < 1) {
            throw new IllegalArgumentException("cpuAllocationRatio must be at least 1, not " + cpuAllocationRatio);
        }
        featureGates = List.copyOf(featureGates);
    }

    /** The settings in a KubeVirt object's {@code spec} (absent fields take KubeVirt's defaults; a bad ratio too). */
    public static KubeVirtSettings fromSpec(JsonNode spec) {
        JsonNode dev = spec == null ? null : spec.path("configuration").path("developerConfiguration");
        if (dev == null || !dev.isObject()) {
            return DEFAULTS;
        }
        List<String> gates = new ArrayList<>();
        dev.path("featureGates").forEach(g -> gates.add(g.asText()));
        int ratio = dev.path("cpuAllocationRatio").asInt(DEFAULTS.cpuAllocationRatio());
        return new KubeVirtSettings(dev.path("useEmulation").asBoolean(false), ratio < 1 ? DEFAULTS.cpuAllocationRatio() : ratio, gates);
    }

    /** The CPU a launcher pod requests for {@code vcpus} virtual CPUs, in millicores (at least 1). */
    public long cpuRequestMillis(long vcpus) {
        return Math.max(1, vcpus * 1000 / cpuAllocationRatio);
    }
}
