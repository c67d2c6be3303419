package io.jvirt.network.binding;

import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * KubeVirt's {@code passt} binding: Debian's {@code passt} runs unprivileged in the pod's network namespace and
 * gives the guest the pod's own address, prefix and gateway by its built-in DHCP (ARP and NDP too), translating
 * the guest's frames to and from ordinary sockets of the namespace; QEMU reaches it over a unix socket
 * ({@code -netdev stream}, QEMU 7.2 on). The pod keeps its address on {@code eth0}; inbound connections to the
 * declared {@code ports} (every TCP and UDP port when none is declared, as KubeVirt asks libvirt for) reach the
 * guest through passt's listening sockets in the namespace.
 *
 * <p>As KubeVirt's passt CNI step does, {@link #start} first lets unprivileged users of the namespace bind ports
 * below 1024 ({@code net.ipv4.ip_unprivileged_port_start=0}) and open ICMP echo sockets
 * ({@code net.ipv4.ping_group_range}), then starts {@code passt} as {@code uid:gid} (never root) with
 * {@code --one-off}, as libvirt starts it: it ends by itself once QEMU's connection closes. passt puts itself in
 * the background once its socket is bound, so the call returns when QEMU can connect. Immutable.
 *
 * @param ports the VMI interface's {@code ports} (empty: all)
 */
public record PasstBinding(List<GuestPort> ports) {
    /** QEMU's end: the socket passt listens on, in the directory {@link #start} was given. */
    public static final String SOCKET = "passt.sock";
    public static final String PID_FILE = "passt.pid";
    public static final String LOG_FILE = "passt.log";

    public PasstBinding {
        ports = List.copyOf(ports);
    }

    /**
     * Starts passt for one guest interface in {@code netns}; {@code dir} (writable by {@code uid}, e.g. the pod's run
     * directory) gets its socket, pid file and log. {@code dns} are the name servers the guest is told of. Fails
     * when passt does not start (its own message). Not idempotent: a second call for the same directory fails.
     */
    public Passt start(NetworkNamespace netns, Path dir, int uid, int gid, List<String> dns) throws IOException {
        netns.run("sysctl", "-q", "-w", "net.ipv4.ip_unprivileged_port_start=0", "net.ipv4.ping_group_range=" + gid + " " + gid);
        netns.run(argv(dir, uid, gid, dns).toArray(String[]::new));
        return Passt.running(dir).orElseThrow(() -> new IOException("passt started but wrote no pid file in " + dir));
    }

    /** passt's command line, started in the namespace: {@code setpriv} to the unprivileged user, then passt. Pure. */
    List<String> argv(Path dir, int uid, int gid, List<String> dns) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid", Integer.toString(uid), "--regid", Integer.toString(gid),
                "--clear-groups", "--no-new-privs", "passt", "--quiet", "--one-off",
                "--socket", dir.resolve(SOCKET).toString(), "--pid", dir.resolve(PID_FILE).toString(),
                "--log-file", dir.resolve(LOG_FILE).toString(), "--interface", PodNetwork.POD_INTERFACE));
        for (String server : dns) {
            argv.addAll(List.of("--dns", server));
        }
        argv.addAll(List.of("--tcp-ports", spec("tcp"), "--udp-ports", spec("udp")));
        return argv;
    }

    /** passt's port spec for {@code protocol}: the declared ports, {@code all} when none is declared at all. */
    private String spec(String protocol) {
        if (ports.isEmpty()) {
            return "all";
        }
        String list = ports.stream().filter(p -> p.protocol().equals(protocol)).map(p -> Integer.toString(p.port()))
                .distinct().collect(Collectors.joining(","));
        return list.isEmpty() ? "none" : list;
    }

    /**
     * A running passt, found by its pid file (so an agent restarted after a {@code kill -9} finds it again).
     *
     * @param socket the unix socket QEMU connects to
     */
    public record Passt(long pid, Path socket) {
        /** The passt whose pid file is in {@code dir}, when that process is alive and is passt. */
        public static Optional<Passt> running(Path dir) throws IOException {
            Path pidFile = dir.resolve(PID_FILE);
            String text = Files.isRegularFile(pidFile) ? Files.readString(pidFile).strip() : "";
            if (!text.matches("[0-9]{1,10}")) {
                return Optional.empty();
            }
            long pid = Long.parseLong(text);
            return process(pid).map(p -> new Passt(pid, dir.resolve(SOCKET)));
        }

        /** Ends passt (SIGKILL: it holds no state); nothing when it has already ended. Idempotent. */
        public void stop() {
            process(pid).ifPresent(ProcessHandle::destroyForcibly);
        }

        private static Optional<ProcessHandle> process(long pid) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().startsWith("passt")).orElse(false));
        }
    }
}
