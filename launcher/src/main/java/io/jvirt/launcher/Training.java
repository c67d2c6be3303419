package io.jvirt.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The launcher's training run, {@code LauncherMain --train DIR}: one real launch of a small VMI
 * (a blank qcow2 disk, a NoCloud cloud-init volume, a user-mode NIC) driven over the launcher's own
 * socket like the node agent does it (Start paused, GetDomainInfo, GetStats, Kill). {@code ./jvirt up}
 * runs it under {@code -XX:ArchiveClassesAtExit} to make the class-data archive that every later
 * launcher maps instead of loading and verifying those classes again: it roughly halves the time from
 * a launcher's start to QEMU's (see docs/benchmarks.md). The guest never runs a single instruction.
 */
final class Training {
    private static final String REQUEST = """
            {"vmi": {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
              "metadata": {"name": "training", "namespace": "default", "uid": "00000000-0000-4000-8000-000000000000"},
              "spec": {"domain": {"devices": {"disks": [{"name": "containerdisk", "disk": {"bus": "virtio"}},
                                                      {"name": "cloudinitdisk", "disk": {"bus": "virtio"}}],
                                            "interfaces": [{"name": "default", "masquerade": {}}]},
                                "resources": {"requests": {"memory": "64Mi"}}},
                       "networks": [{"name": "default", "pod": {}}],
                       "volumes": [{"name": "containerdisk", "containerDisk": {"image": "jvirt/training"}},
                                   {"name": "cloudinitdisk", "cloudInitNoCloud": {"userData": "#cloud-config\\n"}}],
                       "terminationGracePeriodSeconds": 0}},
             "runDirectory": "DIR/run", "accel": "TCG", "tcgTranslationCacheMiB": 4,
             "volumes": {"containerdisk": {"path": "DIR/disk.qcow2", "format": "QCOW2", "blockDevice": false, "jvirtOwnedChain": true}},
             "networks": {"default": {"type": "UserMode", "restrict": true}}}
            """;

    /** KubeVirt's qemu user and group. */
    static final int QEMU_UID = 107;

    private Training() {}

    /** Writes the training VMI's request and blank disk into {@code dir} and returns the request file. */
    static Path writeRequest(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path disk = dir.resolve("disk.qcow2");
        Files.deleteIfExists(disk);
        Process qemuImg = new ProcessBuilder(List.of("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "16M"))
                .redirectErrorStream(true).start();
        String output = new String(qemuImg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (qemuImg.waitFor() != 0) {
            throw new IOException("qemu-img create failed: " + output.strip());
        }
        Path request = dir.resolve("request.json");
        String json = REQUEST.replace("DIR", dir.toAbsolutePath().toString());
        if (io.jvirt.converter.RunAs.launcherIsRoot()) { // QEMU never runs as root: as KubeVirt's qemu user, on a disk it owns
            Files.setAttribute(disk, "unix:uid", QEMU_UID);
            Files.setAttribute(disk, "unix:gid", QEMU_UID);
            json = json.replace("\"networks\": {", "\"qemuUser\": \"" + QEMU_UID + ":" + QEMU_UID + "\",\n \"networks\": {");
        }
        Files.writeString(request, json);
        return request;
    }

    /** Drives the launcher serving on {@code socket} through a launch; fails when a command is refused. */
    static void drive(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            var out = Channels.newOutputStream(channel);
            String[] commands = {"{\"type\":\"Start\",\"paused\":true}", "{\"type\":\"GetDomainInfo\"}", "{\"type\":\"GetStats\"}",
                "{\"type\":\"Kill\"}"};
            for (int id = 1; id <= commands.length; id++) {
                String request = "{\"kind\":\"Request\",\"version\":1,\"id\":" + id + ",\"command\":" + commands[id - 1] + "}\n";
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
                String line;
                do { // events may come first
                    line = in.readLine();
                    if (line == null) {
                        throw new IOException("the launcher closed the socket before answering " + commands[id - 1]);
                    }
                } while (!line.contains("\"Response\""));
                if (!line.contains("\"ok\":true")) {
                    throw new IOException("the launcher refused " + commands[id - 1] + ": " + line);
                }
            }
        }
    }
}
