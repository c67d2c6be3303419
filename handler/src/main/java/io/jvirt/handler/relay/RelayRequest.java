package io.jvirt.handler.relay;

import java.util.Optional;
import java.util.Set;

/**
 * The header line of a relay connection: {@code <token> <namespace> <name> <action>}, space separated.
 *
 * @param action one of {@link #ACTIONS}
 */
public record RelayRequest(String token, String namespace, String name, String action) {
    public static final Set<String> ACTIONS = Set.of("pause", "unpause", "softreboot", "reset", "guestosinfo", "console", "vnc");

    /** The request in {@code line}, empty when malformed or the action is unknown. */
    public static Optional<RelayRequest> parse(String line) {
        if (line == null) return Optional.empty();
        String[] f = line.strip().split(" ");
        if (f.length != 4 || !ACTIONS.contains(f[3])) return Optional.empty();
        for (String s : f) if (s.isEmpty()) return Optional.empty();
        return Optional.of(new RelayRequest(f[0], f[1], f[2], f[3]));
    }

    /** Whether the action streams bytes (console, vnc) rather than answering one line. */
    public boolean streams() {
        return action.equals("console") || action.equals("vnc");
    }
}
