package io.jvirt.virtctl;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code virtctl}: KubeVirt's CLI with its commands, flags and messages, for jvirt and any KubeVirt
 * cluster alike (it only speaks Kubernetes APIs). {@code main} only wires the commands; each lives in
 * its own small class. Errors print one human line on stderr and exit 1.
 */
@Command(name = "virtctl", usageHelpAutoWidth = true, mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        versionProvider = Version.Provider.class,
        description = "Control VirtualMachine and VirtualMachineInstance objects the KubeVirt way (jvirt).",
        subcommands = {
            Version.class, Lifecycle.Start.class, Lifecycle.Stop.class, Lifecycle.Restart.class, Lifecycle.Pause.class,
            Lifecycle.Unpause.class, Lifecycle.SoftReboot.class, Lifecycle.Reset.class, Lifecycle.GuestOsInfo.class,
            Console.class, Vnc.class, Expose.class, Create.class, PortForward.class, Ssh.SshCommand.class, Ssh.ScpCommand.class,
            ImageUpload.class, NotYet.AddVolume.class, NotYet.RemoveVolume.class, NotYet.Migrate.class,
            VirtctlMain.Completion.class})
public final class VirtctlMain {
    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, description = "Path to the kubeconfig file.")
    String kubeconfig;

    @Option(names = "--context", scope = ScopeType.INHERIT, description = "The kubeconfig context to use.")
    String context;

    @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, description = "The namespace (default: the context's).")
    String namespace;

    private Api api;

    /** The API client for the resolved kubeconfig (loaded once). */
    Api api() throws IOException {
        if (api == null) {
            api = new Api(Kubeconfig.load(Kubeconfig.locate(kubeconfig, System.getenv()), context));
        }
        return api;
    }

    /** {@code -n}, else the context's namespace. */
    String namespace() throws IOException {
        return namespace != null && !namespace.isEmpty() ? namespace : api().config().namespace();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VirtctlMain());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            String message = e instanceof Api.ApiError a && a.code == 403
                    ? a.getMessage() + " (the kubeconfig's user lacks permission for this)"
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            String prefix = cmd.getCommand() instanceof Action action ? "Error " + action.doing() + " " : "Error: ";
            err.println(prefix + message);
            err.flush();
            return 1;
        });
        return cl;
    }

    /** A command whose failure message reads "Error &lt;doing&gt; &lt;message&gt;" as KubeVirt's virtctl prints. */
    interface Action {
        String doing();
    }

    @Command(name = "completion", description = "Print a bash completion script: source <(virtctl completion bash).")
    static final class Completion implements Runnable {
        @CommandLine.Parameters(index = "0", arity = "0..1", defaultValue = "bash", description = "Shell (bash; zsh via bashcompinit).")
        String shell;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (!shell.equals("bash") && !shell.equals("zsh")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unsupported shell " + shell + ": bash or zsh");
            }
            spec.commandLine().getOut().print(AutoComplete.bash("virtctl", spec.root().commandLine()));
            spec.commandLine().getOut().flush();
        }
    }
}
