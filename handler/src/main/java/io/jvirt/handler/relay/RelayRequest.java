package io.jvirt.handler.relay;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The header line of a relay connection: {@code <token> <namespace> <name> <action>}, space separated;
 * for {@code log} {@code <name>} is a pod's and three arguments follow: {@code <pod uid> <follow 0|1> <tailLines, -1 for all>};
 * for {@code metrics} (this node's Prometheus text) and {@code usage} (its {@code NodeUsage} JSON) namespace and name are
 * {@code -} and the node's name; for {@code portforward} two arguments follow: {@code <port 1-65535> tcp}.
 *
 * @param action one of {@link #ACTIONS}
 * @param args the log or portforward arguments, empty for every other action
 */
public record RelayRequest(String token, String namespace, String name, String action, List<String> args) {
    public static final Set<String> ACTIONS = Set.of("pause", "unpause", "softreboot", "reset", "guestosinfo", "console", "vnc", "log", "metrics", "usage", "portforward");

    public RelayRequest(String token, String namespace, String name, String action) {
        this(token, namespace, name, action, List.of());
    }

    /** The request in {@code line}, empty when malformed or the action is unknown. */
    public static Optional<RelayRequest> parse(String line) {
        if (line == null) return Optional.empty();
        String[] f = line.strip().split(" ");
        if (f.length < 4 || !ACTIONS.contains(f[3])) return Optional.empty();
        if (f.length != switch (f[3]) {
            case "log" -> 7;
            case "portforward" -> 6;
            default -> 4;
        }) return Optional.empty();
        for (String s : f) if (s.isEmpty()) return Optional.empty();
        if (f[3].equals("log") && (!f[5].matches("[01]") || !f[6].matches("-1|[0-9]{1,9}"))) return Optional.empty();
        if (f[3].equals("portforward") && (!f[4].matches("[0-9]{1,5}") || Integer.parseInt(f[4]) < 1 || Integer.parseInt(f[4]) > 65535
                || !f[5].equals("tcp"))) return Optional.empty();
        return Optional.of(new RelayRequest(f[0], f[1], f[2], f[3], List.of(f).subList(4, f.length)));
    }

    /** Whether the action streams bytes (console, vnc, log) rather than answering one line. */
    public boolean streams() {
        return action.equals("console") || action.equals("vnc") || action.equals("log");
    }

    /** portforward: the guest's port. */
    public int port() {
        return Integer.parseInt(args.get(0));
    }

    /** log: the pod uid the API server read. */
    public String podUid() {
        return args.get(0);
    }

    /** log: whether to stream until the pod ends. */
    public boolean follow() {
        return args.get(1).equals("1");
    }

    /** log: how many last lines, -1 for the whole log. */
    public int tailLines() {
        return Integer.parseInt(args.get(2));
    }
}
