package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.v1.VirtualMachineInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Fixtures around the project's demo guest (build/images/demo, built by images/demo/build.sh). */
final class DemoGuest {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    static final Path DIR = Path.of(System.getProperty("jvirt.build.dir", "build"), "images", "demo");

    private DemoGuest() {}

    static Path image(String name) {
        Path p = DIR.resolve(name);
        if (!Files.exists(p)) {
            throw new AssertionError("demo guest file missing: " + p + " (run images/demo/build.sh)");
        }
        return p;
    }

    /** A qcow2 overlay over the demo disk, as the node makes for a containerDisk. */
    static Path overlay(Path dir) throws Exception {
        Path overlay = dir.resolve("containerdisk.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image("demo.qcow2").toString(), overlay.toString());
        return overlay;
    }

    /** Runs {@code command}; returns its output, fails the test when it fails. */
    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Parses a VMI from JSON text, giving it name, namespace and uid. */
    static VirtualMachineInstance vmi(String specJson) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstance");
        vmi.putObject("metadata").put("name", "demo").put("namespace", "it").put("uid", "0c6b2a4e-1f2d-4c1e-9a55-5d1c0b7e1a01");
        JsonNode spec = JSON.readTree(specJson);
        vmi.set("spec", spec);
        return JSON.treeToValue(vmi, VirtualMachineInstance.class);
    }
}
