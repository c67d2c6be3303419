package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvirt.registry.DockerConfig;
import io.jvirt.registry.ImageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The VMI's side of an image pull: reads a {@code containerDisk} or {@code kernelBoot.container} (image,
 * {@code imagePullPolicy}, {@code path}, {@code kernelPath}, {@code initrdPath}), fetches its {@code imagePullSecret}
 * (a {@code kubernetes.io/dockerconfigjson} Secret in the VMI's namespace), and asks {@link ContainerDisks}; whatever
 * keeps the image from being had becomes an {@link ImagePullFailure} with the registry's message. Thread-safe.
 */
public final class ImagePulls {
    private final KubernetesClient client;
    private final ContainerDisks disks;

    public ImagePulls(KubernetesClient client, ContainerDisks disks) {
        this.client = client;
        this.disks = disks;
    }

    /** A new qcow2 overlay at {@code overlay} on the disk of {@code containerDisk}. */
    public Path overlay(String namespace, JsonNode containerDisk, Path overlay) throws IOException, InterruptedException, ImagePullFailure {
        ContainerDisks.Pull pull = pull(namespace, containerDisk);
        try {
            return disks.overlay(pull, containerDisk.path("path").asText(null), overlay);
        } catch (ImageException e) {
            throw new ImagePullFailure(pull.image(), e.getMessage());
        }
    }

    /** The kernel and initrd of {@code kernelBoot.container}; its {@code kernelPath} is required (QEMU boots that kernel). */
    public ContainerDisks.Kernel kernel(String namespace, JsonNode container) throws IOException, InterruptedException, ImagePullFailure {
        if (container.path("kernelPath").asText("").isEmpty()) {
            throw new IllegalStateException("spec.domain.firmware.kernelBoot.container.kernelPath: required on this node (QEMU boots the kernel it names)");
        }
        ContainerDisks.Pull pull = pull(namespace, container);
        try {
            return disks.kernel(pull, container.path("kernelPath").asText(), container.path("initrdPath").asText(null));
        } catch (ImageException e) {
            throw new ImagePullFailure(pull.image(), e.getMessage());
        }
    }

    private ContainerDisks.Pull pull(String namespace, JsonNode source) throws ImagePullFailure {
        String image = source.path("image").asText();
        String secretName = source.path("imagePullSecret").asText("");
        DockerConfig credentials = DockerConfig.empty();
        if (!secretName.isEmpty()) {
            Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            String key = secret == null || secret.getData() == null ? null
                    : secret.getData().containsKey(".dockerconfigjson") ? ".dockerconfigjson" : secret.getData().containsKey(".dockercfg") ? ".dockercfg" : null;
            if (key == null) {
                throw new ImagePullFailure(image, secret == null ? "imagePullSecret " + secretName + " not found in namespace " + namespace
                        : "imagePullSecret " + secretName + " has no .dockerconfigjson (type kubernetes.io/dockerconfigjson)");
            }
            try {
                credentials = DockerConfig.parse(Base64.getDecoder().decode(secret.getData().get(key)));
            } catch (IllegalArgumentException e) {
                throw new ImagePullFailure(image, "imagePullSecret " + secretName + ": " + e.getMessage());
            }
        }
        return new ContainerDisks.Pull(image, source.path("imagePullPolicy").asText(null), credentials);
    }
}
