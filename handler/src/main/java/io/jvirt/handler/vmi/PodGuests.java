package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvirt.handler.relay.GuestEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Function;

/**
 * The guests of the VMIs this node runs, for {@code portforward}: the VMI (read when a forward starts), the network
 * namespace of its running launcher pod on this node, and the guest's address ({@link GuestAddress}: inside that
 * namespace for masquerade, on the node's pod bridge otherwise).
 * Thread-safe.
 */
public final class PodGuests implements GuestEndpoint.Lookup {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KubernetesClient client;
    private final Function<String, Optional<String>> launcherNetnsOf;

    /** @param launcherNetnsOf VMI uid → the netns of its running launcher pod on this node */
    public PodGuests(KubernetesClient client, Function<String, Optional<String>> launcherNetnsOf) {
        this.client = client;
        this.launcherNetnsOf = launcherNetnsOf;
    }

    @Override
    public Optional<GuestEndpoint> find(String namespace, String name) throws IOException {
        GenericKubernetesResource vmi = client.genericKubernetesResources(VmiAgent.VMI).inNamespace(namespace).withName(name).get();
        if (vmi == null) return Optional.empty();
        Optional<String> netns = launcherNetnsOf.apply(vmi.getMetadata().getUid());
        if (netns.isEmpty()) return Optional.empty();
        GuestAddress guest = GuestAddress.of(JSON.valueToTree(vmi))
                .orElseThrow(() -> new IOException("the guest has no address on the pod network (yet)"));
        return Optional.of(new GuestEndpoint(guest.insidePod() ? netns.get() : null, InetAddress.ofLiteral(guest.address())));
    }
}
