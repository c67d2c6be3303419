package io.jvirt.e2e;

import io.jvirt.api.instancetype.Expansion;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conformance run's report over a directory of KubeVirt example manifests: one {@link Entry} per file with what the
 * server did to it, the counts, and which files broke the run's rules. Outcomes come only from what the server
 * answered and what the guests showed; the one thing read from a file's content is whether it is {@link #expectsBoot
 * expected to boot}. Not thread-safe; filled by one test.
 */
final class ConformanceReport {
    /** What happened to a file, in the order a file can get: refused at apply, stored, a guest Running, its console at {@code login:}. */
    enum Outcome {
        /** {@code kubectl apply} failed: the server refused it. */
        REFUSED("refused"),
        /** Stored; the file holds no guest to run (a PriorityClass, an instancetype, a migration, ...). */
        ADMITTED("admitted"),
        /** Stored, but its guest never reached Running (or failed). */
        FAILED("failed"),
        /** A guest reached Running but its console never showed {@code login:}: breaks the run's rule. */
        RUNNING_NOT_BOOTED("Running, not booted"),
        /** Every guest of the file reached Running and showed {@code login:} on its console. */
        BOOTED("booted");

        final String text;

        Outcome(String text) {
            this.text = text;
        }
    }

    /** One example file: whether its content says it should boot, what happened, and why (empty only for BOOTED). */
    record Entry(String file, boolean expectsBoot, Outcome outcome, String reason) {
        /**
         * The rule of the run this entry breaks (the run fails on it), or null: a guest Running without booting, a file
         * not booted without a reason, or a file expected to boot that did not, for a reason that does not say why
         * (issue 17: a missing feature, an image this machine cannot pull, or KubeVirt's own refusal of the file).
         */
        String violation() {
            if (outcome == Outcome.RUNNING_NOT_BOOTED) return "reached Running without booting: " + reason;
            if (outcome != Outcome.BOOTED && outcome != Outcome.ADMITTED && reason.isBlank()) return "not booted and no reason given";
            if (expectsBoot && outcome != Outcome.BOOTED && !explainsNoBoot(reason)) {
                return "names the demo image, a containerDisk, cloud-init or an emptyDisk but did not boot, for a reason that names no missing feature: "
                        + reason;
            }
            return null;
        }
    }

    /** The guest sources jvirt's node runs today; a file naming one of them is expected to boot. */
    private static final Pattern BOOTABLE = Pattern.compile("cirros-container-disk-demo|containerDisk:|cloudInitNoCloud:|cloudInitConfigDrive:|emptyDisk:");
    /** Wordings of the server, the controllers and the node that say a feature is missing. */
    private static final Pattern MISSING_FEATURE = Pattern.compile(
            "not supported|not served|not available|not enabled|feature gate|no matches for kind|doesn't have a resource type|not implemented",
            Pattern.CASE_INSENSITIVE);
    /**
     * The node's answer for an image whose registry this machine cannot reach (kubelet's {@code ErrImagePull} message):
     * what is missing is the image, not a feature. The examples name images that only KubeVirt's CI registry holds.
     */
    private static final Pattern IMAGE_UNREACHABLE = Pattern.compile("Failed to pull image \"[^\"]+\": cannot reach registry ");
    /** KubeVirt's own admission refusals of files it ships (an example whose template conflicts with its instancetype). */
    private static final Pattern KUBEVIRT_REFUSES_TOO = Pattern.compile(Pattern.quote(Expansion.CONFLICT_FORMAT.split("%s")[1]));
    private static final Pattern NO_MATCHES = Pattern.compile("no matches for kind \"([^\"]+)\" in version \"([^\"]+)\"");

    private final String source;
    private final List<Entry> entries = new ArrayList<>();

    ConformanceReport(String source) {
        this.source = source;
    }

    /** Whether a file's content names the demo image, a containerDisk, cloud-init or an emptyDisk. */
    static boolean expectsBoot(String content) {
        return BOOTABLE.matcher(content).find();
    }

    /** Whether a reason says a feature is missing (KubeVirt's, kube-apiserver's and jvirt's wordings). */
    static boolean namesMissingFeature(String reason) {
        return MISSING_FEATURE.matcher(reason).find();
    }

    /**
     * Whether a reason says why a file expected to boot did not: a missing feature, an image this machine cannot pull,
     * or KubeVirt's own refusal of the file.
     */
    static boolean explainsNoBoot(String reason) {
        return namesMissingFeature(reason) || IMAGE_UNREACHABLE.matcher(reason).find() || KUBEVIRT_REFUSES_TOO.matcher(reason).find();
    }

    /**
     * kubectl's refusal, one line: its {@code error: ...}/{@code Error from server ...} lines joined; kubectl's
     * {@code no matches for kind "K" in version "G/V"} (the server serves no such resource) as {@code G/V K not served}.
     */
    static String refusal(String kubectlOutput) {
        Matcher m = NO_MATCHES.matcher(kubectlOutput);
        if (m.find()) return m.group(2) + " " + m.group(1) + " not served (" + m.group(0) + ")";
        List<String> lines = new ArrayList<>();
        for (String line : kubectlOutput.split("\n")) {
            String l = line.strip();
            if (l.startsWith("error:") || l.startsWith("Error from server") || l.startsWith("The ") || l.contains("denied the request")) lines.add(l);
        }
        String text = lines.isEmpty() ? kubectlOutput.strip() : String.join(" ", lines);
        return text.replaceAll("\\s+", " ");
    }

    void add(Entry e) {
        entries.add(e);
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    Map<Outcome, Integer> counts() {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) counts.put(o, 0);
        entries.forEach(e -> counts.merge(e.outcome(), 1, Integer::sum));
        return counts;
    }

    List<String> violations() {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            String v = e.violation();
            if (v != null) out.add(e.file() + ": " + v);
        }
        return out;
    }

    /** The report as text: a line per file, then the counts and the broken rules. */
    String render() {
        StringBuilder s = new StringBuilder("KubeVirt example manifests through jvirt: ").append(source).append('\n');
        int width = entries.stream().mapToInt(e -> e.file().length()).max().orElse(4) + 2;
        s.append(pad("FILE", width)).append(pad("EXPECTED", 10)).append(pad("OUTCOME", 22)).append("REASON\n");
        for (Entry e : entries) {
            s.append(pad(e.file(), width)).append(pad(e.expectsBoot() ? "boot" : "-", 10)).append(pad(e.outcome().text, 22))
                    .append(e.reason()).append('\n');
        }
        Map<Outcome, Integer> counts = counts();
        long running = entries.stream().filter(e -> e.outcome() == Outcome.BOOTED || e.outcome() == Outcome.RUNNING_NOT_BOOTED).count();
        long expected = entries.stream().filter(Entry::expectsBoot).count();
        long expectedBooted = entries.stream().filter(e -> e.expectsBoot() && e.outcome() == Outcome.BOOTED).count();
        s.append('\n').append(entries.size()).append(" files: ")
                .append(counts.get(Outcome.ADMITTED) + counts.get(Outcome.FAILED) + running).append(" admitted, ")
                .append(running).append(" Running, ").append(counts.get(Outcome.BOOTED)).append(" booted (login: on the console), ")
                .append(counts.get(Outcome.REFUSED)).append(" refused, ").append(counts.get(Outcome.FAILED)).append(" failed, ")
                .append(counts.get(Outcome.ADMITTED)).append(" admitted without a guest\n");
        s.append(String.format(Locale.ROOT, "expected to boot (demo image, containerDisk, cloud-init or emptyDisk): %d, booted %d, "
                + "not booted %d%n", expected, expectedBooted, expected - expectedBooted));
        List<String> violations = violations();
        s.append(violations.isEmpty() ? "every rule of the run holds\n" : "BROKEN RULES:\n  " + String.join("\n  ", violations) + "\n");
        return s.toString();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
    }
}
