package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The one-call lifecycle commands: each is a PUT (or GET) on a {@code subresources.kubevirt.io/v1}
 * subresource of a VM or VMI, with KubeVirt's option bodies and success messages.
 */
final class Lifecycle {
    private Lifecycle() {
    }

    /** What every lifecycle command shares: the parent's connection, the target's name, the call. */
    abstract static class Call implements Callable<Integer>, VirtctlMain.Action {
        @ParentCommand
        VirtctlMain root;

        /** PUTs {@code body} to {@code <kind>/<name>/<sub>} in the namespace and prints {@code done}. */
        int put(String kind, String name, String sub, ObjectNode body, String done) throws Exception {
            root.api().send("PUT", Api.SUB + root.namespace() + "/" + kind + "/" + name + "/" + sub,
                    body == null || body.isEmpty() ? null : body.toString());
            System.out.println(done);
            return 0;
        }

        static ObjectNode options(boolean dryRun) {
            ObjectNode o = Api.JSON.createObjectNode();
            if (dryRun) {
                o.putArray("dryRun").add("All");
            }
            return o;
        }
    }

    @Command(name = "start", description = "Start a virtual machine.")
    static final class Start extends Call {
        @Parameters(paramLabel = "VM")
        String name;

        @Option(names = "--paused", description = "Start the VM paused (its CPUs stopped until unpause).")
        boolean paused;

        @Option(names = "--dry-run", description = "Check the request, change nothing.")
        boolean dryRun;

        @Override
        public String doing() {
            return "starting VirtualMachine";
        }

        @Override
        public Integer call() throws Exception {
            ObjectNode body = options(dryRun);
            if (paused) {
                body.put("paused", true);
            }
            return put("virtualmachines", name, "start", body, "VM " + name + " was scheduled to start" + (dryRun ? " (dry run)" : ""));
        }
    }

    @Command(name = "stop", description = "Stop a virtual machine.")
    static final class Stop extends Call {
        @Parameters(paramLabel = "VM")
        String name;

        @Option(names = "--grace-period", defaultValue = "-1", description = "Seconds the guest gets to shut down (with --force).")
        long gracePeriod;

        @Option(names = "--force", description = "Stop at once or within --grace-period, not the VMI's own grace period.")
        boolean force;

        @Option(names = "--dry-run", description = "Check the request, change nothing.")
        boolean dryRun;

        @Override
        public String doing() {
            return "stopping VirtualMachine";
        }

        @Override
        public Integer call() throws Exception {
            if (gracePeriod >= 0 && !force) {
                throw new IllegalArgumentException("--grace-period must be used together with --force");
            }
            ObjectNode body = options(dryRun);
            if (force) {
                body.put("gracePeriod", Math.max(gracePeriod, 0));
            }
            return put("virtualmachines", name, "stop", body, "VM " + name + " was scheduled to stop" + (dryRun ? " (dry run)" : ""));
        }
    }

    @Command(name = "restart", description = "Restart a virtual machine (a new VMI).")
    static final class Restart extends Call {
        @Parameters(paramLabel = "VM")
        String name;

        @Option(names = "--dry-run", description = "Check the request, change nothing.")
        boolean dryRun;

        @Override
        public String doing() {
            return "restarting VirtualMachine";
        }

        @Override
        public Integer call() throws Exception {
            return put("virtualmachines", name, "restart", options(dryRun), "VM " + name + " was scheduled to restart" + (dryRun ? " (dry run)" : ""));
        }
    }

    /** {@code pause vm NAME} and {@code pause vmi NAME} both pause the VMI NAME, as in KubeVirt. */
    abstract static class VmiCall extends Call {
        @Parameters(index = "0", paramLabel = "vm|vmi", description = "vm or vmi")
        String kind;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Option(names = "--dry-run", description = "Check the request, change nothing.")
        boolean dryRun;

        int vmi(String sub, String verb) throws Exception {
            if (!kind.equals("vm") && !kind.equals("vmi")) {
                throw new IllegalArgumentException("unsupported resource type '" + kind + "': use vm or vmi");
            }
            return put("virtualmachineinstances", name, sub, options(dryRun),
                    (kind.equals("vm") ? "VM " : "VMI ") + name + " was scheduled to " + verb + (dryRun ? " (dry run)" : ""));
        }
    }

    @Command(name = "pause", description = "Pause a virtual machine (vm or vmi NAME): its CPUs stop, memory stays.")
    static final class Pause extends VmiCall {
        @Override
        public String doing() {
            return "pausing VirtualMachineInstance";
        }

        @Override
        public Integer call() throws Exception {
            return vmi("pause", "pause");
        }
    }

    @Command(name = "unpause", description = "Unpause a paused virtual machine (vm or vmi NAME).")
    static final class Unpause extends VmiCall {
        @Override
        public String doing() {
            return "unpausing VirtualMachineInstance";
        }

        @Override
        public Integer call() throws Exception {
            return vmi("unpause", "unpause");
        }
    }

    @Command(name = "soft-reboot", description = "Reboot the guest through ACPI (or its agent).")
    static final class SoftReboot extends Call {
        @Parameters(paramLabel = "VMI")
        String name;

        @Override
        public String doing() {
            return "soft rebooting VirtualMachineInstance";
        }

        @Override
        public Integer call() throws Exception {
            return put("virtualmachineinstances", name, "softreboot", null, "VMI " + name + " was scheduled to soft reboot");
        }
    }

    @Command(name = "reset", description = "Hard-reset the guest, like the reset button.")
    static final class Reset extends Call {
        @Parameters(paramLabel = "VMI")
        String name;

        @Override
        public String doing() {
            return "resetting VirtualMachineInstance";
        }

        @Override
        public Integer call() throws Exception {
            return put("virtualmachineinstances", name, "reset", null, "VMI " + name + " was scheduled to reset");
        }
    }

    @Command(name = "guestosinfo", description = "Print the guest OS information its guest agent reports.")
    static final class GuestOsInfo extends Call {
        @Parameters(paramLabel = "VMI")
        String name;

        @Override
        public String doing() {
            return "getting guestosinfo of VirtualMachineInstance";
        }

        @Override
        public Integer call() throws Exception {
            String json = root.api().send("GET", Api.SUB + root.namespace() + "/virtualmachineinstances/" + name + "/guestosinfo", null);
            System.out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Api.JSON.readTree(json)));
            return 0;
        }
    }
}
