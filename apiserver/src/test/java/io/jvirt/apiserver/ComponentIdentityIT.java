package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.admission.AdmissionRequest;
import io.jvirt.apiserver.admission.ValidatingAdmitter;
import io.jvirt.apiserver.http.Cause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each control-plane component gets a token of its own: its kubeconfig authenticates it under its
 * component user name, admission sees that name, and the token survives a restart.
 */
class ComponentIdentityIT {

    /** Records who wrote each Event (name → user); every component may record events. */
    static final class Recorder implements ValidatingAdmitter {
        final Map<String, String> users = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "recorder.test";
        }

        @Override
        public boolean handles(AdmissionRequest r) {
            return r.type().plural().equals("events");
        }

        @Override
        public List<Cause> validate(AdmissionRequest r) {
            users.put(r.object().path("metadata").path("name").asText(), r.userName());
            return List.of();
        }
    }

    @ParameterizedTest
    @EnumSource(ComponentIdentity.class)
    void theComponentsTokenReachesAdmissionAsItsUserAndSurvivesARestart(ComponentIdentity component) throws Exception {
        try (RunningServer server = RunningServer.start()) {
            Path file = server.dir.resolve(component.name() + ".kubeconfig");
            server.server.writeKubeconfig(file, component);
            String first = Files.readString(file);
            Recorder recorder = new Recorder();
            server.server.admission().addValidating(recorder);
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(first)).build()) {
                client.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata().withName("by-component")
                        .endMetadata().withReason("Test").withMessage("written by a component").build()).create();
            }
            assertEquals(component.userName(), recorder.users.get("by-component"));

            server.restart();
            server.server.writeKubeconfig(file, component);
            assertEquals(first, Files.readString(file), "the same token (and server) after a restart");
        }
    }
}
