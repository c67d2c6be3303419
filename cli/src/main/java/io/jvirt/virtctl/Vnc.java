package io.jvirt.virtctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code virtctl vnc VMI}: a local VNC port on 127.0.0.1 whose every connection is bridged to the VMI's
 * {@code vnc} WebSocket. {@code --proxy-only} prints {@code {"port":N}} and serves until stopped; without it
 * a VNC viewer found on the PATH is started on the port. {@code vnc screenshot} writes a PNG of the screen.
 */
@Command(name = "vnc", description = "Open a VNC connection to a VMI.", subcommands = Vnc.Screenshot.class)
final class Vnc implements Callable<Integer>, VirtctlMain.Action {
    private static final List<String> VIEWERS = List.of("remote-viewer", "vncviewer", "xtightvncviewer", "gvncviewer");

    @ParentCommand
    VirtctlMain root;

    @Parameters(paramLabel = "VMI", arity = "0..1")
    String name;

    @Option(names = "--proxy-only", description = "Only serve the local port and print {\"port\":N}; start no viewer.")
    boolean proxyOnly;

    @Option(names = "--port", defaultValue = "0", description = "Local port to listen on (0: any free port).")
    int port;

    @Override
    public String doing() {
        return "connecting to the VNC of VirtualMachineInstance";
    }

    @Override
    public Integer call() throws Exception {
        if (name == null) {
            throw new IllegalArgumentException("a VMI name is required: virtctl vnc NAME");
        }
        Console.awaitRunning(root, name, Duration.ofMinutes(5));
        String path = Api.SUB + root.namespace() + "/virtualmachineinstances/" + name + "/vnc";
        root.api().stream(path).close(); // fail here, clearly, when the VMI has no VNC or the user no right
        try (ServerSocket server = new ServerSocket(port, 8, InetAddress.getLoopbackAddress())) {
            if (proxyOnly) {
                System.out.println("{\"port\":" + server.getLocalPort() + "}");
                System.out.flush();
            } else {
                startViewer(server.getLocalPort());
            }
            while (true) {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> bridge(client, path));
            }
        }
    }

    private void bridge(Socket client, String path) {
        try (client; WebSocketStream ws = root.api().stream(path)) {
            Thread up = Thread.ofVirtual().start(() -> copy(client, ws.out()));
            copy(ws.in(), client.getOutputStream());
            up.join(1000);
        } catch (Exception e) {
            System.err.println("virtctl vnc: " + e.getMessage());
        }
    }

    private static void copy(Socket from, OutputStream to) {
        try {
            copy(from.getInputStream(), to);
        } catch (IOException ended) {
            // either side closed
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[16384];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // either side closed
        }
    }

    private static void startViewer(int port) throws IOException {
        for (String viewer : VIEWERS) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (Path.of(dir, viewer).toFile().canExecute()) {
                    String target = viewer.equals("remote-viewer") ? "vnc://127.0.0.1:" + port : "127.0.0.1::" + port;
                    new ProcessBuilder(viewer, target).inheritIO().start();
                    System.err.println("Started " + viewer + " on 127.0.0.1:" + port + "; Ctrl+C ends the proxy.");
                    return;
                }
            }
        }
        System.err.println("No VNC viewer found (" + String.join(", ", VIEWERS) + "); connect one to 127.0.0.1:" + port
                + ". Ctrl+C ends the proxy.");
    }

    @Command(name = "screenshot", description = "Write a PNG of the VMI's screen.")
    static final class Screenshot implements Callable<Integer>, VirtctlMain.Action {
        @ParentCommand
        Vnc vnc;

        @Parameters(paramLabel = "VMI")
        String name;

        @Option(names = {"-f", "--file"}, required = true, description = "The PNG file to write.")
        Path file;

        @Override
        public String doing() {
            return "taking a screenshot of VirtualMachineInstance";
        }

        @Override
        public Integer call() throws Exception {
            VirtctlMain root = vnc.root;
            Console.awaitRunning(root, name, Duration.ofMinutes(5));
            try (WebSocketStream ws = root.api().stream(Api.SUB + root.namespace() + "/virtualmachineinstances/" + name + "/vnc")) {
                javax.imageio.ImageIO.write(RfbClient.screenshot(ws.in(), ws.out()), "png", file.toFile());
            }
            System.out.println("Wrote " + file);
            return 0;
        }
    }
}
