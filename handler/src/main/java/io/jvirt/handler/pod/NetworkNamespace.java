package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A named network namespace made with {@code ip netns}: loopback only, nothing routed out of the
 * machine. {@link #create()} and {@link #delete()} are idempotent.
 */
public record NetworkNamespace(String name) {
    public NetworkNamespace {
        if (!name.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("bad netns name: " + name);
        }
    }

    public Path path() {
        return Path.of("/run/netns", name);
    }

    public boolean exists() {
        return Files.exists(path());
    }

    public void create() throws IOException, InterruptedException {
        if (!exists()) {
            Commands.run(List.of("ip", "netns", "add", name));
        }
        Commands.run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
    }

    public void delete() throws IOException, InterruptedException {
        if (exists()) {
            Commands.run(List.of("ip", "netns", "delete", name));
        }
    }
}
