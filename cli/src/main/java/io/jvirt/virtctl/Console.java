package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code virtctl console VMI}: the guest's serial console over the {@code console} WebSocket. On a
 * terminal it switches the terminal to raw mode (restored on exit) and {@code Ctrl+]} leaves; from a
 * pipe it sends what stdin gives and, once stdin ends, leaves when the guest has been quiet for a moment.
 */
@Command(name = "console", description = "Connect to the serial console of a VMI (Ctrl+] to leave).")
final class Console implements Callable<Integer>, VirtctlMain.Action {
    static final int ESCAPE = 0x1d; // Ctrl+]
    private static final Duration QUIET_AFTER_EOF = Duration.ofSeconds(2);

    @ParentCommand
    VirtctlMain root;

    @Parameters(paramLabel = "VMI")
    String name;

    @Option(names = "--timeout", defaultValue = "5", description = "Minutes to wait for the VMI to be running.")
    int timeoutMinutes;

    @Override
    public String doing() {
        return "connecting to the console of VirtualMachineInstance";
    }

    @Override
    public Integer call() throws Exception {
        awaitRunning(root, name, Duration.ofMinutes(timeoutMinutes));
        try (WebSocketStream stream = root.api().stream(Api.SUB + root.namespace() + "/virtualmachineinstances/" + name + "/console")) {
            System.err.println("Successfully connected to " + name + " console. The escape sequence is ^]");
            String saved = Terminal.makeRaw();
            try {
                return bridge(stream, saved != null);
            } finally {
                Terminal.restore(saved);
            }
        }
    }

    private int bridge(WebSocketStream stream, boolean terminal) throws Exception {
        AtomicLong lastOutput = new AtomicLong(System.nanoTime());
        Thread output = Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[8192];
            try {
                InputStream in = stream.in();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    System.out.write(buf, 0, n);
                    System.out.flush();
                    lastOutput.set(System.nanoTime());
                }
            } catch (IOException ended) {
                // the connection closed
            }
        });
        Thread input = Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[1024];
            try {
                OutputStream out = stream.out();
                for (int n; (n = System.in.read(buf)) >= 0; ) {
                    int escape = indexOf(buf, n, ESCAPE);
                    if (escape >= 0) {
                        out.write(buf, 0, escape);
                        return;
                    }
                    out.write(buf, 0, n);
                }
                if (terminal) {
                    return;
                }
                // stdin ended (a pipe): leave once the guest has answered and gone quiet
                while (System.nanoTime() - lastOutput.get() < QUIET_AFTER_EOF.toNanos()) {
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // the connection closed
            }
        });
        while (input.isAlive() && output.isAlive()) {
            Thread.sleep(50);
        }
        System.out.flush();
        if (terminal) {
            System.err.print("\r\n");
        }
        return 0;
    }

    private static int indexOf(byte[] buf, int n, int value) {
        for (int i = 0; i < n; i++) {
            if ((buf[i] & 0xff) == value) {
                return i;
            }
        }
        return -1;
    }

    /** Waits until VMI {@code name} is Running (console and VNC need the guest's sockets). */
    static void awaitRunning(VirtctlMain root, String name, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String path = "/apis/kubevirt.io/v1/namespaces/" + root.namespace() + "/virtualmachineinstances/" + name;
        while (true) {
            JsonNode vmi = root.api().get(path);
            String phase = vmi.path("status").path("phase").asText("");
            if (phase.equals("Running")) {
                return;
            }
            if (List.of("Succeeded", "Failed").contains(phase)) {
                throw new IllegalStateException("VMI " + name + " is " + phase + ", not running");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("VMI " + name + " did not start running within " + timeout.toMinutes() + " minutes (phase "
                        + (phase.isEmpty() ? "unset" : phase) + ")");
            }
            Thread.sleep(500);
        }
    }
}
