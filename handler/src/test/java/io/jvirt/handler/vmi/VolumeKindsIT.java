package io.jvirt.handler.vmi;

import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.VmiStatusView.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.jvirt.api.storage.LocalVolumes;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.HandlerConfig;
import io.jvirt.handler.LauncherPodFixtures;
import io.jvirt.handler.NodeAgent;
import io.jvirt.handler.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The volume kinds the node prepares, seen from inside a real guest: the demo guest boots under QEMU (TCG) from the
 * demo containerDisk, a user-data script reads what each volume holds and prints it on the serial console. VMIs go
 * in with the stock kubectl, so the API server's defaulting applies (a disk without a bus becomes {@code sata}, as in
 * KubeVirt on amd64).
 */
class VolumeKindsIT {
    private static final String NODE = "node-vol";
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private EmbeddedApi api;
    private Path root;
    private Path data;
    private Path volumes;
    private NodeAgent agent;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        api = EmbeddedApi.start();
        root = Files.createTempDirectory("jvirt-handler-vol");
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU (107) passes through
        data = root.resolve("node");
        volumes = root.resolve("volumes"); // HandlerConfig's default: beside the data directory
        HandlerConfig config = HandlerConfig.defaults(NODE, data, BUILD).withHeartbeat(Duration.ofSeconds(2));
        agent = new NodeAgent(api.nodeAgent, config);
        agent.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (api == null) {
            return;
        }
        api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
        api.deletePods();
        Waits.until("pods cleaned up", Duration.ofSeconds(60), () -> noPodsIn(data.resolve("pods")));
        if (agent != null) {
            agent.close();
        }
        api.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** KubeVirt's vmi-nocloud with the buses left out: defaulting makes both disks sata, the NoCloud ISO a writable ide-hd. */
    @Test
    void cloudInitOnADiskWithoutABus() throws Exception {
        String serial = boot("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: vol-nobus
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks:
                        - name: containerdisk
                          disk: {}
                        - name: cloudinitdisk
                          disk: {}
                  volumes:
                    - name: containerdisk
                      containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                    - name: cloudinitdisk
                      cloudInitNoCloud:
                        userData: |
                          #!/bin/sh
                          echo "nobus: user data ran"
                """, "vol-nobus", "nobus: user data ran");
        assertEquals("sata", api.kubectl("get", "vmi", "vol-nobus", "-o", "jsonpath={.spec.domain.devices.disks[1].disk.bus}"),
                "the API server defaulted the bus");
        assertEquals(true, serial.contains("NoCloud datasource on /dev/sd"), "the seed was found on a SATA disk:\n" + serial);
    }

    /**
     * A ConfigMap (no bus: sata), a Secret (virtio), the downward API (a sata cdrom) and a service account's token,
     * CA and namespace as ISO disks with their labels,
     * and the NoCloud user and network data from a Secret ({@code userData} and {@code networkdata}, both of KubeVirt's
     * spellings): the user-data script mounts each disk by its label and prints what it holds.
     */
    @Test
    void configMapSecretDownwardApiAndServiceAccountDisksAndCloudInitFromASecret() throws Exception {
        api.kubectl("create", "configmap", "app-config", "--from-literal=greeting=hello from a configmap");
        api.kubectl("create", "secret", "generic", "app-secret", "--from-literal=password=s3cret-value");
        api.kubectl("create", "serviceaccount", "app");
        Path script = data.resolve("userdata.sh");
        Files.writeString(script, """
                #!/bin/sh
                for l in appcfg appsec dapi cfgdata; do
                  mkdir -p /mnt/$l && mount -t iso9660 -o ro "$(findfs LABEL=$l)" /mnt/$l
                done
                echo "cfg: $(cat /mnt/appcfg/greeting)"
                echo "sec: $(cat /mnt/appsec/password)"
                echo "dapi: $(cat /mnt/dapi/namespace) $(cat /mnt/dapi/app)"
                echo "sa: $(cat /mnt/cfgdata/namespace) $(head -n 1 /mnt/cfgdata/ca.crt) token=$(cat /mnt/cfgdata/token)="
                echo "config volumes read"
                """);
        Path network = data.resolve("networkdata.yaml");
        Files.writeString(network, "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n");
        api.kubectl("create", "secret", "generic", "vol-cloudinit", "--from-file=userData=" + script, "--from-file=networkdata=" + network);
        String serial = boot("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: vol-config
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks:
                        - name: containerdisk
                          disk: {bus: virtio}
                          bootOrder: 1 # SeaBIOS would try only the first sata disk, the ConfigMap's
                        - name: cloudinitdisk
                          disk: {bus: virtio}
                        - name: cfg
                          disk: {}
                        - name: sec
                          disk: {bus: virtio}
                        - name: dapi
                          cdrom: {bus: sata}
                        - name: sa
                          disk: {bus: virtio}
                  volumes:
                    - name: containerdisk
                      containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                    - name: cloudinitdisk
                      cloudInitNoCloud:
                        secretRef: {name: vol-cloudinit}
                        networkDataSecretRef: {name: vol-cloudinit}
                    - name: cfg
                      configMap: {name: app-config, volumeLabel: appcfg}
                    - name: sec
                      secret: {secretName: app-secret, volumeLabel: appsec}
                    - name: dapi
                      downwardAPI:
                        volumeLabel: dapi
                        fields:
                          - {path: namespace, fieldRef: {fieldPath: metadata.namespace}}
                          - {path: app, fieldRef: {fieldPath: "metadata.labels['app']"}}
                    - name: sa
                      serviceAccount: {serviceAccountName: app}
                """, "vol-config", "config volumes read");
        for (String line : List.of("cfg: hello from a configmap", "sec: s3cret-value", "dapi: default demo", "network-config v2 applied to eth0",
                "sa: default -----BEGIN CERTIFICATE----- token=jvirt-sa.")) {
            assertEquals(true, serial.contains(line), "'" + line + "' on the console:\n" + serial);
        }
        // the guest's token is the service account's: the API server takes it as system:serviceaccount:default:app
        String token = serial.substring(serial.indexOf("token=") + "token=".length(), serial.indexOf("=", serial.indexOf("token=") + "token=".length()));
        Process kubectl = new ProcessBuilder("kubectl", "--kubeconfig", api.kubeconfig().toString(), "--token=" + token, "get", "pods")
                .redirectErrorStream(true).start();
        String refused = new String(kubectl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(true, kubectl.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && kubectl.exitValue() != 0, refused);
        assertEquals(true, refused.contains("User \"system:serviceaccount:default:app\" cannot list resource \"pods\""), refused);
    }

    @Test
    void aMissingConfigMapFailsThePodWithStartErrorInKubeletsWords() throws Exception {
        Path file = data.resolve("missing.yaml");
        Files.writeString(file, """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: vol-missing
                spec:
                  domain:
                    memory: {guest: 128Mi}
                  volumes:
                    - name: containerdisk
                      containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                    - name: cfg
                      configMap: {name: not-there}
                """);
        api.kubectl("apply", "-f", file.toString());
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod("vol-missing")).create();
        Pod failed = Waits.until("the pod Failed", Duration.ofSeconds(60), () -> {
            Pod p = api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get();
            return "Failed".equals(p.getStatus().getPhase()) ? p : null;
        });
        String message = "MountVolume.SetUp failed for volume \"cfg\" : configmap \"not-there\" not found";
        assertEquals(message, failed.getStatus().getMessage());
        var terminated = failed.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(List.of("StartError", message), List.of(terminated.getReason(), terminated.getMessage()), "the compute container's reason");
    }

    /**
     * An ephemeral volume boots the guest from a claim holding the demo disk (raw, as an import leaves it): the guest
     * writes to its boot disk, the writes land in the VMI's overlay, and the claim's image keeps every byte.
     */
    @Test
    void ephemeralVolumeWritesGoToAnOverlayNotToTheClaim() throws Exception {
        Path image = boundClaim("golden");
        run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", BUILD.resolve("images/demo/demo.qcow2").toString(), image.toString());
        String before = sha256(image);
        String serial = boot("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: vol-ephemeral
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks:
                        - name: root
                          disk: {bus: virtio}
                        - name: cloudinitdisk
                          disk: {bus: virtio}
                  volumes:
                    - name: root
                      ephemeral:
                        persistentVolumeClaim: {claimName: golden}
                    - name: cloudinitdisk
                      cloudInitNoCloud:
                        userData: |
                          #!/bin/sh
                          echo "written by the guest" > /media/boot/guest-file && sync && echo "ephemeral: $(cat /media/boot/guest-file)"
                """, "vol-ephemeral", "ephemeral: written by the guest");
        String uid = api.client.pods().inNamespace("default").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().contains("vol-ephemeral")).findFirst().orElseThrow().getMetadata().getUid();
        Path overlay = agent.pods().paths(uid).diskDirectory().resolve("root.qcow2");
        String info = run("qemu-img", "info", "--output=json", "-U", overlay.toString());
        assertEquals(true, info.contains("\"backing-filename\": \"" + image + "\""), "the overlay is on the claim's image: " + info);
        assertEquals(before, sha256(image), "the claim's image is unchanged by the guest's writes:\n" + serial);
    }

    /**
     * Applies {@code yaml} (one VMI named {@code name}), binds its launcher pod to the node and waits until the serial
     * console shows {@code expected}; returns the console's text.
     */
    private String boot(String yaml, String name, String expected) throws Exception {
        Path file = data.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        api.kubectl("apply", "-f", file.toString());
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod(name)).create();
        Path run = agent.pods().paths(pod.getMetadata().getUid()).runDirectory();
        try {
            Waits.until(expected + " on the serial console", Duration.ofSeconds(180), () -> read(run.resolve("serial.log")).contains(expected));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; VMI status " + status(api.client.genericKubernetesResources(VmiAgent.VMI)
                    .inNamespace("default").withName(name).get()) + "; console:\n" + read(run.resolve("serial.log")), e);
        }
        return read(run.resolve("serial.log"));
    }

    /** The launcher pod of VMI {@code name} as the controller makes it, with the VMI's label {@code app=demo} copied. */
    private Pod launcherPod(String name) {
        GenericKubernetesResource vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
        return LauncherPodFixtures.withMemory(LauncherPodFixtures.launcherPod(vmi, NODE), "440Mi").editMetadata().addToLabels("app", "demo")
                .endMetadata().build();
    }

    /**
     * A claim {@code name} bound to a local-path volume under the node's volumes root, as jvirt's provisioner leaves it
     * (no provisioner runs here); returns the path of the volume's {@code disk.img}, not yet written.
     */
    private Path boundClaim(String name) throws Exception {
        String pv = LocalVolumes.volumeName(java.util.UUID.randomUUID().toString());
        PersistentVolumeClaim claim = api.client.persistentVolumeClaims().inNamespace("default").resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withVolumeName(pv).withStorageClassName(LocalVolumes.STORAGE_CLASS)
                .withNewResources().addToRequests("storage", new Quantity("64Mi")).endResources().endSpec().build()).create();
        api.client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(pv)
                .addToAnnotations(LocalVolumes.PROVISIONED_BY, LocalVolumes.PROVISIONER).endMetadata()
                .withNewSpec().addToCapacity("storage", new Quantity("64Mi")).withAccessModes("ReadWriteOnce").withVolumeMode("Filesystem")
                .withStorageClassName(LocalVolumes.STORAGE_CLASS).withNewHostPath().withPath(volumes.resolve(pv).toString()).endHostPath()
                .withNewClaimRef().withNamespace("default").withName(name).withUid(claim.getMetadata().getUid()).endClaimRef().endSpec().build())
                .create();
        claim.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").addToCapacity("storage", new Quantity("64Mi")).build());
        api.client.persistentVolumeClaims().inNamespace("default").resource(claim).updateStatus();
        Files.createDirectories(LocalVolumes.directory(volumes, pv));
        return LocalVolumes.image(volumes, pv, false);
    }

    private static String sha256(Path file) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        try (java.io.InputStream in = Files.newInputStream(file)) {
            in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), digest));
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
