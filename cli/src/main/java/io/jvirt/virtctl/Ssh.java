package io.jvirt.virtctl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code virtctl ssh [user@]type/name[/namespace]} and {@code virtctl scp SRC DST}: KubeVirt's commands with its flags.
 * Both run the system's OpenSSH client ({@code ssh}, {@code scp}) with a {@code ProxyCommand} of this virtctl's own
 * {@code port-forward --stdio=true type/name/namespace PORT}, so the connection goes through the {@code portforward}
 * subresource; the host is named {@code [user@]type.name.namespace} (what {@code known_hosts} records). The argv is
 * built here from the flags; nothing of it comes from an API object.
 */
final class Ssh {
    private Ssh() {}

    /** The flags ssh and scp share (KubeVirt's {@code AddCommandlineArgs}). */
    static final class Options {
        @Option(names = {"-l", "--username"}, description = "The user to log in as (default: the ssh client's).")
        String username;

        @Option(names = {"-i", "--identity-file"}, description = "A private key to authenticate with (default: the ssh client's, or the ssh-agent).")
        Path identityFile;

        @Option(names = "--known-hosts", description = "The known_hosts file to use (default: the ssh client's).")
        Path knownHosts;

        @Option(names = {"-p", "--port"}, defaultValue = "22", description = "The port on the VM that SSH traffic goes to.")
        int port;

        @Option(names = {"-t", "--local-ssh-opts"}, description = "An option for the local ssh client, e.g. \"-o StrictHostKeyChecking=no\" (repeatable).")
        List<String> localOptions = new ArrayList<>();

        @Option(names = "--local-ssh", arity = "0..1", fallbackValue = "true", defaultValue = "true",
                description = "Use the ssh/scp client of this system through a ProxyCommand (jvirt's only client).")
        boolean localSsh;

        /** Refuses {@code --local-ssh=false}: there is no built-in client to fall back on. */
        void requireLocalClient(String client) {
            if (!localSsh) {
                throw new IllegalArgumentException("--local-ssh=false: jvirt's virtctl has no built-in SSH client; it runs the system's "
                        + client + " (docs/virtctl.md)");
            }
        }
    }

    /**
     * The client's argv for {@code ut}: {@code client -o ProxyCommand=... [-o UserKnownHostsFile=F] [opts] [-i key] args...},
     * where {@code args} gets the host name {@code [user@]kind.name.namespace} (the user of {@code user@} before {@code -l}'s).
     */
    static List<String> command(String client, VirtctlMain root, Options o, UserTarget ut, Function<String, List<String>> args)
            throws IOException {
        o.requireLocalClient(client);
        if (ut.user() != null) o.username = ut.user();
        PortForward.Target t = ut.target();
        String namespace = t.namespace() != null ? t.namespace() : root.namespace();
        List<String> argv = new ArrayList<>(List.of(client, "-o", "ProxyCommand=" + proxyCommand(root, t, namespace, o.port)));
        if (o.knownHosts != null) argv.addAll(List.of("-o", "UserKnownHostsFile=" + o.knownHosts));
        argv.addAll(o.localOptions);
        if (o.identityFile != null) argv.addAll(List.of("-i", o.identityFile.toString()));
        String host = (o.username == null || o.username.isEmpty() ? "" : o.username + "@") + t.kind() + "." + t.name() + "." + namespace;
        argv.addAll(args.apply(host));
        return argv;
    }

    /**
     * The ProxyCommand ssh runs with {@code sh -c}: this virtctl ({@code jvirt.virtctl.command}, set by the
     * {@code ./virtctl} script; else this JVM with its class path) with the kubeconfig and context it was given, each
     * word single-quoted.
     */
    static String proxyCommand(VirtctlMain root, PortForward.Target t, String namespace, int port) {
        List<String> words = new ArrayList<>();
        String self = System.getProperty("jvirt.virtctl.command");
        if (self != null && !self.isEmpty()) {
            words.add(self);
        } else {
            words.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), VirtctlMain.class.getName()));
        }
        if (root.kubeconfig != null) words.addAll(List.of("--kubeconfig", root.kubeconfig));
        if (root.context != null) words.addAll(List.of("--context", root.context));
        words.addAll(List.of("port-forward", "--stdio=true", t.kind() + "/" + t.name() + "/" + namespace, Integer.toString(port)));
        return String.join(" ", words.stream().map(Ssh::quote).toList());
    }

    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** {@code [user@]type/name[/namespace]} split at the {@code @}. */
    record UserTarget(String user, PortForward.Target target) {
        static UserTarget parse(String arg) {
            int at = arg.indexOf('@');
            if (at == 0) throw new IllegalArgumentException("expected username before '@'");
            String rest = at < 0 ? arg : arg.substring(at + 1);
            if (rest.isEmpty()) throw new IllegalArgumentException("expected target after '@'");
            return new UserTarget(at < 0 ? null : arg.substring(0, at), PortForward.Target.parse(rest));
        }
    }

    static int run(List<String> argv) throws Exception {
        return new ProcessBuilder(argv).inheritIO().start().waitFor();
    }

    @Command(name = "ssh", description = "Open a SSH connection to a virtual machine instance (the system's ssh through port-forward).")
    static final class SshCommand implements Callable<Integer>, VirtctlMain.Action {
        @ParentCommand
        VirtctlMain root;

        @Mixin
        Options options;

        @Option(names = {"-c", "--command"}, description = "A command to execute in the VM.")
        String command;

        @Parameters(paramLabel = "[user@]type/name[/namespace]")
        String target;

        @Override
        public String doing() {
            return "connecting with ssh to " + target;
        }

        @Override
        public Integer call() throws Exception {
            return run(argv());
        }

        /** The ssh argv these flags make. */
        List<String> argv() throws IOException {
            return Ssh.command("ssh", root, options, UserTarget.parse(target),
                    host -> command == null || command.isEmpty() ? List.of(host) : List.of(host, command));
        }
    }

    @Command(name = "scp", description = "SCP files from/to a virtual machine instance (the system's scp through port-forward).")
    static final class ScpCommand implements Callable<Integer>, VirtctlMain.Action {
        @ParentCommand
        VirtctlMain root;

        @Mixin
        Options options;

        @Option(names = {"-r", "--recursive"}, description = "Recursively copy entire directories.")
        boolean recursive;

        @Option(names = "--preserve", description = "Preserve modification times, access times and modes of the original files.")
        boolean preserve;

        @Parameters(index = "0", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "1", paramLabel = "DESTINATION")
        String destination;

        @Override
        public String doing() {
            return "copying with scp";
        }

        @Override
        public Integer call() throws Exception {
            return run(argv());
        }

        /** The scp argv these flags make. */
        List<String> argv() throws IOException {
            Remote from = Remote.parse(source);
            Remote to = Remote.parse(destination);
            if ((from == null) == (to == null)) {
                throw new IllegalArgumentException("exactly one of source and destination must be remote: [user@]type/name[/namespace]:path");
            }
            Remote remote = from != null ? from : to;
            return Ssh.command("scp", root, options, remote.target(), host -> {
                List<String> args = new ArrayList<>();
                if (recursive) args.add("-r");
                if (preserve) args.add("-p");
                args.add(from != null ? host + ":" + remote.path() : source);
                args.add(to != null ? host + ":" + remote.path() : destination);
                return args;
            });
        }
    }

    /** {@code [user@]type/name[/namespace]:path}; null for a local path (no {@code type/} before the colon). */
    record Remote(UserTarget target, String path) {
        static Remote parse(String arg) {
            int colon = arg.indexOf(':');
            if (colon < 0) return null;
            String head = arg.substring(0, colon);
            String kind = head.substring(head.indexOf('@') + 1);
            if (!kind.contains("/")) return null;
            return new Remote(UserTarget.parse(head), arg.substring(colon + 1));
        }
    }
}
