package io.jvirt.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A named network namespace ({@code ip netns}: bind-mounted at {@code /run/netns/NAME}). Only the
 * network module's own fixed commands run in it ({@link #run}); {@link #enter} runs Java code with one
 * fresh platform thread moved into it, so sockets and taps opened there belong to the namespace while
 * the rest of the JVM stays where it is. Immutable and thread-safe; the namespace itself is created and
 * deleted by whoever owns it.
 */
public record NetworkNamespace(String name) {
    public static final Path ROOT = Path.of("/run/netns");

    public NetworkNamespace {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("not a network namespace name: '" + name + "'");
        }
    }

    /** The bind mount the CNI plugins get as {@code CNI_NETNS}. */
    public Path path() {
        return ROOT.resolve(name);
    }

    public boolean exists() {
        return Files.exists(path());
    }

    /** {@code ip netns add NAME} with its loopback up. Fails when it exists. */
    public void create() throws IOException {
        Commands.run(List.of("ip", "netns", "add", name));
        ip("link set lo up");
    }

    /** {@code ip netns del NAME}; nothing when it does not exist. */
    public void delete() throws IOException {
        if (exists()) {
            Commands.run(List.of("ip", "netns", "del", name));
        }
    }

    /**
     * Runs {@code commands}, each one {@code ip} command line of the network module's own (e.g. {@code link set lo up};
     * words without blanks), in this namespace with one {@code ip -n NAME -batch -} process: the first that fails stops
     * the rest and fails the call with {@code ip}'s message. Returns the output.
     */
    public String ip(String... commands) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String command : commands) {
            if (command.contains("\n")) {
                throw new IllegalArgumentException("one ip command per line: " + command);
            }
            lines.append(command).append('\n');
        }
        return Commands.run(List.of("ip", "-n", name, "-batch", "-"), lines.toString());
    }

    /** Runs {@code command} (the network module's own argv) inside the namespace; returns its output. */
    public String run(String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return Commands.run(argv);
    }

    /** Runs {@code command} inside the namespace with {@code input} on its standard input. */
    public String runWithInput(String input, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return Commands.run(argv, input);
    }

    /**
     * Calls {@code action} on a new platform thread that has joined this namespace (setns), and returns
     * its result. What the action opens (sockets, the tun device) stays in the namespace after the thread
     * has ended. Blocks until the action is done.
     */
    public <T> T enter(Callable<T> action) throws IOException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                int original = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
                try {
                    int target = Libc.open(path().toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
                    try {
                        Libc.setns(target, Libc.CLONE_NEWNET, name);
                    } finally {
                        Libc.close(target);
                    }
                    try {
                        result.set(action.call());
                    } finally {
                        Libc.setns(original, Libc.CLONE_NEWNET, "back from " + name);
                    }
                } finally {
                    Libc.close(original);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted entering netns " + name, e);
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t != null) {
            throw new IOException("in netns " + name + ": " + t, t);
        }
        return result.get();
    }
}
