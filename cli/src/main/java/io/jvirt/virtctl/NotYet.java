package io.jvirt.virtctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * KubeVirt commands whose server side jvirt does not have yet: each says which feature is missing and
 * where it will come from, and exits 1. Their arguments are accepted as given so the message always shows.
 */
final class NotYet {
    private NotYet() {
    }

    abstract static class Missing implements Callable<Integer> {
        @Unmatched
        java.util.List<String> args;

        abstract String feature();

        @Override
        public Integer call() {
            System.err.println("Error: not supported by jvirt yet: " + feature());
            return 1;
        }
    }

    @Command(name = "addvolume", description = "Hot-plug a volume into a running VMI (not yet in jvirt).")
    static final class AddVolume extends Missing {
        String feature() {
            return "volume hot-plug needs PVC-backed volumes, which land with the storage issue";
        }
    }

    @Command(name = "removevolume", description = "Hot-unplug a volume from a running VMI (not yet in jvirt).")
    static final class RemoveVolume extends Missing {
        String feature() {
            return "volume hot-plug needs PVC-backed volumes, which land with the storage issue";
        }
    }

    @Command(name = "migrate", description = "Live-migrate a VM to another node (not yet in jvirt).")
    static final class Migrate extends Missing {
        @Parameters(arity = "0..1", paramLabel = "VM")
        String name;

        String feature() {
            return "live migration lands with the migration issue (an embedded jvirt cluster has one node)";
        }
    }
}
