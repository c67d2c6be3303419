package io.jvirt.virtctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code virtctl port-forward type/name[/namespace] [protocol/]localPort[:targetPort]...}: KubeVirt's command. Each
 * local port listens on {@code --address} (default 127.0.0.1); every connection accepted there opens its own WebSocket
 * to the {@code portforward/<port>/tcp} subresource of the VM or VMI (subprotocol {@code plain.kubevirt.io}, raw bytes
 * in binary frames) and is bridged to it until either side closes. {@code --stdio} bridges standard input and output
 * to one such WebSocket instead (one port only): the form {@code ssh}'s {@code ProxyCommand} uses. Runs until
 * interrupted.
 */
@Command(name = "port-forward", description = "Forward local ports to a virtualmachine or virtualmachineinstance.")
final class PortForward implements Callable<Integer>, VirtctlMain.Action {
    /** How long a local connection that has the tunnel's end may stay open before it is closed. */
    private static final Duration LOCAL_CLOSE = Duration.ofSeconds(5);

    @ParentCommand
    VirtctlMain root;

    @Parameters(index = "0", paramLabel = "type/name[/namespace]")
    String target;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "[protocol/]localPort[:targetPort]")
    List<String> portArgs;

    @Option(names = "--stdio", arity = "0..1", fallbackValue = "true", description = "Forward the tunnel to stdin/stdout; only one port.")
    boolean stdio;

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "The address the local ports are opened on.")
    String address;

    /** A VM or VMI named by {@code type/name[/namespace]}: {@code plural} of kubevirt.io, namespace null when not given. */
    record Target(String plural, String name, String namespace) {
        /** KubeVirt's target syntax: kinds vm(s), vmi(s), virtualmachine(s), virtualmachineinstance(s); the legacy {@code type/name.namespace}. */
        static Target parse(String arg) {
            if (arg == null || arg.isEmpty()) throw new IllegalArgumentException("target cannot be empty");
            String[] parts = arg.split("/", -1);
            if (parts.length == 1) throw new IllegalArgumentException("target must contain type and name separated by '/'");
            if (parts.length > 3) throw new IllegalArgumentException("target is not valid with more than two '/'");
            String plural = switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "vm", "vms", "virtualmachine", "virtualmachines" -> "virtualmachines";
                case "vmi", "vmis", "virtualmachineinstance", "virtualmachineinstances" -> "virtualmachineinstances";
                default -> throw new IllegalArgumentException("unsupported resource type '" + parts[0] + "'");
            };
            String name = parts[1];
            String namespace = parts.length == 3 ? parts[2] : null;
            if (namespace != null && namespace.isEmpty()) throw new IllegalArgumentException("namespace cannot be empty");
            if (namespace == null && name.contains(".")) { // KubeVirt's legacy form type/name.namespace
                namespace = name.substring(name.indexOf('.') + 1);
                name = name.substring(0, name.indexOf('.'));
            }
            if (name.isEmpty()) throw new IllegalArgumentException("name cannot be empty");
            return new Target(plural, name, namespace);
        }

        /** {@code vm} or {@code vmi}, as KubeVirt's ssh target names a host. */
        String kind() {
            return plural.equals("virtualmachines") ? "vm" : "vmi";
        }
    }

    /** One forwarded port: {@code [protocol/]local[:remote]}, the local port the remote one when not given. */
    record Port(String protocol, int local, int remote) {
        static Port parse(String arg) {
            String protocol = "tcp";
            String ports = arg;
            int slash = arg.indexOf('/');
            if (slash >= 0) {
                protocol = arg.substring(0, slash).toLowerCase(Locale.ROOT);
                ports = arg.substring(slash + 1);
            }
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new IllegalArgumentException("unsupported protocol '" + protocol + "' in " + arg + ": tcp or udp");
            }
            String[] lr = ports.split(":", -1);
            if (lr.length > 2) throw new IllegalArgumentException("bad port format: " + arg);
            int local = number(lr[0], arg);
            int remote = lr.length == 2 ? number(lr[1], arg) : local;
            return new Port(protocol, local, remote);
        }

        private static int number(String s, String arg) {
            try {
                int n = Integer.parseInt(s);
                if (n >= 1 && n <= 65535) return n;
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new IllegalArgumentException("bad port '" + s + "' in " + arg + ": a number between 1 and 65535");
        }
    }

    @Override
    public String doing() {
        return "forwarding ports of " + (target == null ? "the target" : target);
    }

    @Override
    public Integer call() throws Exception {
        Target t = Target.parse(target);
        List<Port> ports = new ArrayList<>();
        for (String p : portArgs) ports.add(Port.parse(p));
        if (stdio && ports.size() != 1) throw new IllegalArgumentException("only one port supported when forwarding to stdout");
        String namespace = t.namespace() != null ? t.namespace() : root.namespace();
        if (stdio) {
            return toStdio(path(t, namespace, ports.get(0)));
        }
        InetAddress bind = InetAddress.getByName(address);
        List<ServerSocket> servers = new ArrayList<>();
        try {
            for (Port p : ports) {
                if (p.protocol().equals("udp")) throw new IllegalArgumentException("jvirt forwards tcp only, not udp (" + p.local() + ")");
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(bind, p.local()));
                servers.add(server);
                String path = path(t, namespace, p);
                System.err.println("forwarding tcp " + bind.getHostAddress() + ":" + server.getLocalPort() + " to " + p.remote());
                Thread.ofPlatform().name("accept-" + p.local()).start(() -> accept(server, path));
            }
            System.err.flush();
            Thread.currentThread().join(); // until interrupted (Ctrl+C ends the JVM)
            return 0;
        } finally {
            for (ServerSocket s : servers) s.close();
        }
    }

    private static String path(Target t, String namespace, Port p) {
        return Api.SUB + namespace + "/" + t.plural() + "/" + t.name() + "/portforward/" + p.remote() + "/" + p.protocol();
    }

    private void accept(ServerSocket server, String path) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> bridge(client, path));
        }
    }

    /** One local connection ↔ one WebSocket; a refused tunnel closes the local connection and says why. */
    private void bridge(Socket client, String path) {
        try (client; WebSocketStream ws = root.api().stream(path)) {
            Thread up = Thread.ofVirtual().start(() -> {
                try {
                    copy(client.getInputStream(), ws.out());
                } catch (IOException ended) {
                    // the local side closed
                }
                ws.close();
            });
            copy(ws.in(), client.getOutputStream());
            client.shutdownOutput(); // a half-close, not a close: a close with unread input resets, and the reset discards bytes still on their way
            up.join(LOCAL_CLOSE); // the local side closes once it has read the end; one that never does is closed after this
        } catch (Api.ApiError e) {
            System.err.println("error forwarding " + path + ": " + e.getMessage());
        } catch (Exception e) {
            System.err.println("error forwarding " + path + ": " + e);
        }
    }

    /**
     * stdin → the WebSocket, the WebSocket → stdout, until the far side closes. The end of stdin closes nothing: a
     * WebSocket cannot half-close, and the answer to what was sent may still come (ssh ends its ProxyCommand itself).
     */
    private int toStdio(String path) throws Exception {
        try (WebSocketStream ws = root.api().stream(path)) {
            Thread.ofPlatform().daemon().start(() -> copy(System.in, ws.out()));
            copy(ws.in(), System.out);
            System.out.flush();
            return 0;
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[32 * 1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // either side closed
        }
    }
}
