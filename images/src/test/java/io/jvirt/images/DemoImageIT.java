package io.jvirt.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The demo guest built by images/demo/build.sh, booted under the real QEMU (TCG). */
class DemoImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void biosDiskRunsNoCloudScriptShowsLoginAndPowersOffOnAcpiButton() throws Exception {
        Path seed = noCloudIso("#!/bin/sh\necho printed from cloud-init userdata\n");
        try (DemoGuest guest = DemoGuest.builder(work).disk(DemoGuest.demoDir().resolve("demo.qcow2")).readOnlyDisk(seed).start()) {
            guest.awaitConsole("login:", DemoGuest.BOOT_TIMEOUT);
            String console = guest.console();
            assertTrue(console.contains("printed from cloud-init userdata"), console);
            assertTrue(console.indexOf("printed from cloud-init userdata") < console.indexOf("jvirt-demo ready"), console);

            guest.qmp().systemPowerdown();
            Optional<Integer> exit = guest.process().waitFor(Duration.ofSeconds(10));
            assertEquals(Optional.of(0), exit, "QEMU should exit 0 within 10 s of the ACPI power button; console:\n" + guest.console());
        }
    }

    @Test
    void rebootsOnRebootAndRunsTheUserScriptOncePerInstance() throws Exception {
        Path seed = noCloudIso("#!/bin/sh\necho user-script-ran\nreboot\n");
        try (DemoGuest guest = DemoGuest.builder(work).disk(DemoGuest.demoDir().resolve("demo.qcow2")).readOnlyDisk(seed).start()) {
            guest.awaitConsole("already initialised", DemoGuest.BOOT_TIMEOUT.multipliedBy(2));
            guest.awaitConsole("login:", Duration.ofSeconds(30));
            String console = guest.console();
            assertEquals(1, console.split("user-script-ran", -1).length - 1, console);
            assertTrue(console.contains("Requesting system reboot"), console);
            assertTrue(guest.process().isAlive(), "a reboot keeps QEMU running");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo-vmlinuz", "demo-vmlinux"})
    void kernelBootPairBootsToReady(String kernel) throws Exception {
        Path demo = DemoGuest.demoDir();
        try (DemoGuest guest = DemoGuest.builder(work).kernelBoot(demo.resolve(kernel), demo.resolve("demo-initrd")).start()) {
            guest.awaitConsole("jvirt-demo ready", DemoGuest.BOOT_TIMEOUT);
            guest.awaitConsole("jvirt-demo login:", Duration.ofSeconds(10));
        }
    }

    @Test
    void cloudConfigSetsHostnameRunsCommandsAndHttpAnswersWithHostname() throws Exception {
        Path seed = noCloudIso("""
                #cloud-config
                hostname: vm1
                password: other
                write_files:
                  - path: /etc/greeting
                    content: |
                      written by write_files
                bootcmd:
                  - echo bootcmd-marker
                runcmd:
                  - echo "runcmd-marker $(hostname) $(cat /etc/greeting)"
                  - [ sh, -c, "echo list-form-marker" ]
                packages: [nginx]
                """);
        int port = freePort();
        try (DemoGuest guest = DemoGuest.builder(work).disk(DemoGuest.demoDir().resolve("demo.qcow2"))
                .readOnlyDisk(seed).forwardHttp(port).start()) {
            guest.awaitConsole("vm1 login:", DemoGuest.BOOT_TIMEOUT);
            String console = guest.console();
            assertTrue(console.contains("runcmd-marker vm1 written by write_files"), console);
            assertTrue(console.contains("list-form-marker"), console);
            assertTrue(console.contains("bootcmd-marker"), console);
            assertTrue(console.contains("unsupported key 'packages' ignored"), console);
            assertEquals("vm1", httpGet(port).strip());
        }
    }

    @Test
    void sshLogsInWithTheCloudInitKeyOnly() throws Exception {
        Path key = work.resolve("id_ed25519");
        Path other = work.resolve("other_ed25519");
        DemoGuest.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        DemoGuest.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
        Path seed = noCloudIso("#cloud-config\nhostname: sshvm\nssh_authorized_keys:\n  - "
                + Files.readString(work.resolve("id_ed25519.pub")).strip() + "\n");
        int port = freePort();
        try (DemoGuest guest = DemoGuest.builder(work).disk(DemoGuest.demoDir().resolve("demo.qcow2"))
                .readOnlyDisk(seed).forwardSsh(port).start()) {
            guest.awaitConsole("sshvm login:", DemoGuest.BOOT_TIMEOUT);
            assertEquals("sshvm", ssh(key, port, "hostname").strip());
            Process refused = new ProcessBuilder(sshArgv(other, port, "hostname")).redirectErrorStream(true).start();
            String out = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(255, refused.waitFor(), "a key cloud-init did not authorize is refused: " + out);
            assertTrue(out.contains("Permission denied"), out);
        }
    }

    private static java.util.List<String> sshArgv(Path key, int port, String command) {
        return java.util.List.of("ssh", "-i", key.toString(), "-p", Integer.toString(port), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "PasswordAuthentication=no",
                "-o", "ConnectTimeout=60", "-o", "LogLevel=ERROR", "root@127.0.0.1", command);
    }

    private static String ssh(Path key, int port, String command) throws IOException, InterruptedException {
        return DemoGuest.run(sshArgv(key, port, command).toArray(String[]::new));
    }

    @Test
    void containerDiskHoldsTheQcow2OwnedByQemuWithNoBackingFile() throws Exception {
        Path layout = DemoGuest.demoDir().resolve("containerdisk");
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(layout, index.path("manifests").path(0).path("digest").asText()).toFile());
        assertEquals(1, manifest.path("layers").size(), "a containerDisk has exactly one layer");
        JsonNode layer = manifest.path("layers").path(0);
        assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", layer.path("mediaType").asText());

        Path extracted = work.resolve("demo.qcow2");
        boolean found = false;
        try (InputStream in = Files.newInputStream(blob(layout, layer.path("digest").asText()));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                assertEquals(107, e.getLongUserId(), e.getName());
                assertEquals(107, e.getLongGroupId(), e.getName());
                if (e.getName().equals("disk/demo.qcow2")) {
                    Files.copy(tar, extracted);
                    found = true;
                }
            }
        }
        assertTrue(found, "layer has disk/demo.qcow2");
        JsonNode info = JSON.readTree(DemoGuest.run("qemu-img", "info", "-f", "qcow2", "--output=json", extracted.toString()));
        assertEquals("qcow2", info.path("format").asText());
        assertFalse(info.has("backing-filename"), info.toString());
        assertFalse(info.path("format-specific").path("data").has("data-file"), info.toString());
        assertTrue(Files.size(DemoGuest.demoDir().resolve("demo.qcow2")) <= 64L << 20, "demo.qcow2 is at most 64 MiB");
    }

    private static Path blob(Path layout, String digest) {
        assertTrue(digest.startsWith("sha256:"), digest);
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private Path noCloudIso(String userData) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("seed"));
        Files.writeString(dir.resolve("user-data"), userData);
        Files.writeString(dir.resolve("meta-data"), "instance-id: iid-" + System.nanoTime() + "\nlocal-hostname: demo-meta\n");
        Path iso = work.resolve("seed.iso");
        DemoGuest.run("genisoimage", "-quiet", "-output", iso.toString(), "-volid", "cidata", "-joliet", "-rock",
                dir.resolve("user-data").toString(), dir.resolve("meta-data").toString());
        return iso;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String httpGet(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(10)).build();
        Exception last = null;
        for (int i = 0; i < 20; i++) {
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("guest HTTP server did not answer on port " + port, last);
    }
}
