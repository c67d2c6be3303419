package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The feature gates enabled in the KubeVirt CR ({@code spec.configuration.developerConfiguration.featureGates} of the
 * first {@code kubevirts.kubevirt.io} object in the store), read at each call so a change applies to the next write, as
 * KubeVirt's webhooks follow the CR. No CR, no gates. Thread-safe.
 */
public final class FeatureGates implements Supplier<Set<String>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectStore store;

    public FeatureGates(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Set<String> get() {
        Set<String> gates = new HashSet<>();
        for (StoredObject kv : store.list(KeyPrefix.of("kubevirt.io", "kubevirts"), new ListOptions(1, null, o -> true)).items()) {
            JsonNode cr;
            try {
                cr = JSON.readTree(kv.json());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cr.path("spec").path("configuration").path("developerConfiguration").path("featureGates").forEach(g -> gates.add(g.asText()));
            JsonNode disabled = cr.path("spec").path("configuration").path("developerConfiguration").path("disabledFeatureGates");
            disabled.forEach(g -> gates.remove(g.asText()));
        }
        return gates;
    }
}
