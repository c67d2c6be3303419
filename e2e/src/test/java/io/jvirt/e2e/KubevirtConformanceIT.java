package io.jvirt.e2e;

import io.jvirt.api.ExampleDirs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jvirt.e2e.ConformanceReport.Entry;
import io.jvirt.e2e.ConformanceReport.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The conformance report: every file of KubeVirt's examples ({@link ExampleDirs#kubevirts()}, or
 * {@code -Djvirt.conformance.examples=DIR}), unmodified, through {@code ./jvirt up} and the stock kubectl, into
 * namespace default in name order: first the files without a guest (instancetypes, PriorityClasses, ...: later files
 * refer to them), then the guests {@value #BATCH} files at a time (VMs started, VMIs, replica sets, pools), each
 * followed until Running and {@code login:} on its console, or until it fails, with the reason the server, the
 * controllers and the node gave. The report (admitted / Running / booted / refused with the reason, and the counts) is
 * printed and written to {@code build/conformance/kubevirt-examples.txt}. It fails when a guest reaches Running
 * without booting, when a file that is not booted has no reason, and when a file that names the demo image, a
 * containerDisk, cloud-init or an emptyDisk did not boot for a reason that does not say why (issue 17's rule;
 * {@link ConformanceReport#explainsNoBoot}). A VMI whose image the node cannot pull (kubelet's {@code ErrImagePull}) is
 * not waited for further.
 */
@Tag(ExampleDirs.CONFORMANCE)
class KubevirtConformanceIT {
    static final int BATCH = 3;
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration LOGIN = Duration.ofSeconds(240);
    private static final Set<String> GUEST_KINDS = Set.of("VirtualMachine", "VirtualMachineInstance", "VirtualMachineInstanceReplicaSet",
            "VirtualMachinePool");
    private static final System.Logger LOG = System.getLogger(KubevirtConformanceIT.class.getName());

    private JvirtUp jvirt;
    private Api api;

    /** One document of a file: kind, name, run strategy (VMs). */
    record Doc(String kind, String name, String runStrategy) {
    }

    @Test
    void everyExampleIsRunOrRefusedWithAReason() throws Exception {
        Path dir = Path.of(System.getProperty("jvirt.conformance.examples", ExampleDirs.kubevirts().toString()));
        List<Path> files = ExampleDirs.yamlFiles(dir);
        ConformanceReport report = new ConformanceReport(dir.toString());
        jvirt = JvirtUp.start();
        try {
            api = Api.of(jvirt.kubeconfig());
            Map<Path, List<Doc>> guests = new LinkedHashMap<>();
            Map<Path, Entry> entries = new LinkedHashMap<>();
            for (Path f : files) {
                List<Doc> docs = docs(f);
                if (docs.stream().anyMatch(d -> GUEST_KINDS.contains(d.kind()))) {
                    guests.put(f, docs);
                } else {
                    entries.put(f, apply(f, Outcome.ADMITTED));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(BATCH);
            try {
                for (List<Path> batch : batches(guests, BATCH)) {
                    List<Future<Entry>> running = new ArrayList<>();
                    for (Path f : batch) running.add(pool.submit(() -> run(f, guests.get(f))));
                    for (int j = 0; j < batch.size(); j++) entries.put(batch.get(j), running.get(j).get());
                    for (Path f : batch) cleanUp(f, guests.get(f));
                }
            } finally {
                pool.shutdownNow();
            }
            files.forEach(f -> report.add(entries.get(f)));
        } finally {
            jvirt.close();
        }
        String text = report.render();
        Path out = JvirtUp.ROOT.resolve("build/conformance/kubevirt-examples.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, text);
        LOG.log(System.Logger.Level.INFO, "conformance report (" + out + "):\n" + text);
        System.out.println(text);
        assertEquals(List.of(), report.violations(), text);
    }

    /**
     * The guest files in their order, in runs of at most {@code size}; a run ends before a file that names an object
     * (kind and name) a file already in the run names too (KubeVirt's vmi-fedora.yaml and vmi-fedora-isolated.yaml are
     * both VMI vmi-fedora): run together, the second apply would be an update of the first file's object.
     */
    static List<List<Path>> batches(Map<Path, List<Doc>> guests, int size) {
        List<List<Path>> batches = new ArrayList<>();
        List<Path> batch = new ArrayList<>();
        Set<Doc> named = new HashSet<>();
        for (Map.Entry<Path, List<Doc>> file : guests.entrySet()) {
            List<Doc> objects = file.getValue().stream().map(d -> new Doc(d.kind(), d.name(), "")).toList();
            if (batch.size() == size || objects.stream().anyMatch(named::contains)) {
                batches.add(batch);
                batch = new ArrayList<>();
                named.clear();
            }
            batch.add(file.getKey());
            named.addAll(objects);
        }
        if (!batch.isEmpty()) batches.add(batch);
        return batches;
    }

    private static List<Doc> docs(Path file) throws Exception {
        List<Doc> docs = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        try (var parser = yaml.getFactory().createParser(file.toFile())) {
            yaml.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && d.isObject()) {
                    docs.add(new Doc(d.path("kind").asText(), d.path("metadata").path("name").asText(), d.path("spec").path("runStrategy").asText("")));
                }
            });
        }
        return docs;
    }

    private Entry apply(Path file, Outcome stored) throws Exception {
        boolean expects = ConformanceReport.expectsBoot(Files.readString(file));
        JvirtUp.Result r = jvirt.kubectlResult("apply", "-n", "default", "-f", file.toString());
        String name = file.getFileName().toString();
        if (r.exit() != 0) return new Entry(name, expects, Outcome.REFUSED, ConformanceReport.refusal(r.out()));
        return new Entry(name, expects, stored, stored == Outcome.ADMITTED ? "stored (" + r.out().strip().replace('\n', ' ') + ")" : "");
    }

    /** Applies a guest file, starts its VMs, follows every VMI it makes to Running and login:, or to the reason it did not get there. */
    private Entry run(Path file, List<Doc> docs) throws Exception {
        Entry applied = apply(file, Outcome.FAILED);
        if (applied.outcome() == Outcome.REFUSED) return applied;
        for (Doc d : docs) {
            if (d.kind().equals("VirtualMachine") && (d.runStrategy().equals("Halted") || d.runStrategy().equals("Manual"))) {
                Path empty = Files.writeString(jvirt.home().resolve("start-" + d.name() + ".json"), "");
                JvirtUp.Result start = jvirt.kubectlResult("replace", "--raw", Api.SUB + "default/virtualmachines/" + d.name() + "/start", "-f", empty.toString());
                if (start.exit() != 0) return failed(applied, "start of VM " + d.name() + " refused", ConformanceReport.refusal(start.out()));
            }
        }
        List<String> vmis;
        try {
            vmis = Waits.until(file.getFileName() + "'s VMIs", Duration.ofSeconds(60), () -> {
                List<String> found = vmisOf(docs);
                return found.isEmpty() ? null : found;
            });
        } catch (AssertionError noVmi) {
            return failed(applied, "no VMI was created", whyNot(docs, List.of()));
        }
        List<String> booted = new ArrayList<>();
        for (String vmi : vmis) {
            String phase;
            try {
                phase = Waits.until(vmi + " Running, ended or its image not pulled", START, () -> {
                    JsonNode v = api.vmi(vmi);
                    String p = v == null ? "" : v.path("status").path("phase").asText();
                    if (p.equals("Running") || p.equals("Failed") || p.equals("Succeeded")) return p;
                    return pullFailed(v) ? "not started (its image could not be pulled)" : null;
                });
            } catch (AssertionError stuck) {
                return failed(applied, vmi + " not Running after " + START.toSeconds() + " s", whyNot(docs, List.of(vmi)));
            }
            if (!phase.equals("Running")) return failed(applied, vmi + " " + phase, whyNot(docs, List.of(vmi)));
            try (Api.Stream console = api.stream(vmi, "console")) {
                console.awaitLogin(LOGIN);
                booted.add(vmi);
            } catch (AssertionError | Exception noLogin) {
                return new Entry(applied.file(), applied.expectsBoot(), Outcome.RUNNING_NOT_BOOTED,
                        vmi + " Running, no login: on its console within " + LOGIN.toSeconds() + " s");
            }
        }
        return new Entry(applied.file(), applied.expectsBoot(), Outcome.BOOTED, String.join(", ", booted) + ": Running, login: on the console");
    }

    /**
     * The node said it cannot pull the VMI's image (its {@code Synchronized} condition False with kubelet's
     * {@code ErrImagePull} or {@code ImagePullBackOff}): the node retries, but the answer is given.
     */
    private static boolean pullFailed(JsonNode vmi) {
        if (vmi == null) return false;
        for (JsonNode c : vmi.path("status").path("conditions")) {
            String reason = c.path("reason").asText();
            if ("Synchronized".equals(c.path("type").asText()) && "False".equals(c.path("status").asText())
                    && (reason.equals("ErrImagePull") || reason.equals("ImagePullBackOff"))) {
                return true;
            }
        }
        return false;
    }

    /** A file that did not run: what happened and why; no reason at all when nothing said why (which breaks the run's rule). */
    private static Entry failed(Entry applied, String what, String why) {
        String reason = why.isBlank() ? "" : what + ": " + why;
        return new Entry(applied.file(), applied.expectsBoot(), Outcome.FAILED, reason.replaceAll("\\s+", " ").strip());
    }

    /** The VMIs the file's objects made: by name for VMIs and VMs, by owner reference for replica sets and pools (their VMs). */
    private List<String> vmisOf(List<Doc> docs) throws Exception {
        Set<String> owners = new LinkedHashSet<>();
        List<String> found = new ArrayList<>();
        for (Doc d : docs) {
            switch (d.kind()) {
                case "VirtualMachineInstance", "VirtualMachine" -> {
                    if (api.vmi(d.name()) != null) found.add(d.name());
                }
                case "VirtualMachineInstanceReplicaSet" -> owners.add(d.name());
                case "VirtualMachinePool" -> {
                    JsonNode vms = api.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachines");
                    for (JsonNode vm : vms == null ? List.<JsonNode>of() : iterable(vms.path("items"))) {
                        if (ownedBy(vm, d.name())) owners.add(vm.path("metadata").path("name").asText());
                    }
                }
                default -> { }
            }
        }
        if (!owners.isEmpty()) {
            for (JsonNode v : iterable(api.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances").path("items"))) {
                if (owners.stream().anyMatch(o -> ownedBy(v, o))) found.add(v.path("metadata").path("name").asText());
            }
        }
        return found;
    }

    private static boolean ownedBy(JsonNode object, String owner) {
        for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
            if (ref.path("name").asText().equals(owner)) return true;
        }
        return false;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    /**
     * Why the file's guests did not run, from what the server holds: the VMI's phase, reason and conditions, the VM's
     * printable status and conditions, and the Warning events about them.
     */
    private String whyNot(List<Doc> docs, List<String> vmis) throws Exception {
        Set<String> reasons = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>(vmis);
        for (Doc d : docs) {
            names.add(d.name());
            if (d.kind().equals("VirtualMachine")) {
                JsonNode vm = api.vm(d.name());
                if (vm != null) {
                    String printable = vm.path("status").path("printableStatus").asText("");
                    if (!printable.isEmpty()) reasons.add("VM " + printable);
                    conditions(vm, reasons);
                }
            }
        }
        for (String vmi : vmis) {
            JsonNode v = api.vmi(vmi);
            if (v == null) continue;
            String reason = v.path("status").path("reason").asText("");
            if (!reason.isEmpty()) reasons.add(reason);
            conditions(v, reasons);
        }
        JsonNode events = api.get("/api/v1/namespaces/default/events");
        for (JsonNode e : events == null ? List.<JsonNode>of() : iterable(events.path("items"))) {
            if ("Warning".equals(e.path("type").asText()) && names.contains(e.path("involvedObject").path("name").asText())) {
                reasons.add(e.path("reason").asText() + ": " + e.path("message").asText());
            }
        }
        return reasons.isEmpty() ? "" : String.join("; ", reasons);
    }

    private static void conditions(JsonNode object, Set<String> reasons) {
        for (JsonNode c : object.path("status").path("conditions")) {
            String message = c.path("message").asText("");
            if (!message.isEmpty() && !"Ready".equals(c.path("type").asText())) reasons.add(c.path("type").asText() + ": " + message);
        }
    }

    /** Deletes a batch's objects and waits until their VMIs are gone, so the next batch has the machine. */
    private void cleanUp(Path file, List<Doc> docs) throws Exception {
        jvirt.kubectlResult("delete", "-n", "default", "--wait=false", "--ignore-not-found", "-f", file.toString());
        Waits.until(file.getFileName() + "'s VMIs gone", Duration.ofSeconds(120), () -> vmisOf(docs).isEmpty());
    }
}
