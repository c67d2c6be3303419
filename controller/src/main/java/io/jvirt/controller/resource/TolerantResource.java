package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.client.CustomResource;
import io.jvirt.api.meta.TolerantReading;
import java.util.Arrays;
import java.util.Optional;

/**
 * A custom resource the controllers read with {@link TolerantReading}: when a field of the stored
 * object cannot be read (a quantity that does not parse, a list where a map belongs) the object still
 * arrives, with that top-level field left out ({@code null}) and the reason here, instead of stopping
 * the informer that holds every object of the kind.
 */
public abstract class TolerantResource<S, T> extends CustomResource<S, T> {
    private static final long serialVersionUID = 1L;

    @JsonProperty(value = TolerantReading.UNREADABLE, access = JsonProperty.Access.WRITE_ONLY)
    private String unreadable;
    @JsonProperty(value = TolerantReading.LEFT_OUT, access = JsonProperty.Access.WRITE_ONLY)
    private String leftOut;

    /** Why this object could not be read in full ({@code spec.domain.memory.guest: quantity '…' is not valid: …}), or empty. */
    public Optional<String> unreadable() {
        return Optional.ofNullable(unreadable);
    }

    /** Whether the top-level field {@code field} ({@code spec}, {@code status}) was left out because it could not be read. */
    public boolean leftOut(String field) {
        return leftOut != null && Arrays.asList(leftOut.split(",")).contains(field);
    }
}
