package io.jvirt.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;

/**
 * jvirt's layering rule (DESIGN.md, style 5), for the packages under a root package:
 * <ul>
 *   <li>{@code api} is the bottom: it imports no other jvirt package;</li>
 *   <li>drivers ({@code qemu}, {@code store}, {@code network}, {@code registry}) import only {@code api}, and
 *       {@code qemu} not even that, nor any Kubernetes client: the QEMU driver knows nothing of
 *       Kubernetes;</li>
 *   <li>the converter ({@code converter}: VMI → QEMU argv, KubeVirt's converter) is a library at
 *       driver level that imports {@code api} and {@code qemu} and no other jvirt package;</li>
 *   <li>components ({@code apiserver}, {@code controller}, {@code handler},
 *       {@code importer}, {@code virtctl}) import {@code api} and drivers, never each other;</li>
 *   <li>only the distribution ({@code dist}) wires components together.</li>
 * </ul>
 * The root is a parameter so the rule can be shown to fail on a fixture that breaks it.
 */
final class Layering {
    static final List<String> DRIVERS = List.of("qemu", "store", "network", "registry");
    /** Driver-level libraries and the drivers each may import beside {@code api}. */
    static final java.util.Map<String, List<String>> LIBRARIES = java.util.Map.of("converter", List.of("qemu"));
    static final List<String> COMPONENTS = List.of("apiserver", "controller", "handler", "importer", "virtctl");

    private Layering() {
    }

    static List<ArchRule> rules(String root) {
        List<ArchRule> rules = new ArrayList<>();
        rules.add(noClasses().that().resideInAPackage(root + ".api..")
                .should().dependOnClassesThat().resideInAnyPackage(packagesOf(root, all(), "api"))
                .as("api imports no other jvirt package"));
        for (String driver : DRIVERS) {
            rules.add(noClasses().that().resideInAPackage(root + "." + driver + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(packagesOf(root, all(), driver, "api"))
                    .as(driver + " imports only api among jvirt packages"));
        }
        LIBRARIES.forEach((library, drivers) -> {
            List<String> allowed = new ArrayList<>(drivers);
            allowed.add("api");
            allowed.add(library);
            rules.add(noClasses().that().resideInAPackage(root + "." + library + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(packagesOf(root, all(), allowed.toArray(String[]::new)))
                    .as(library + " imports only api and " + String.join(", ", drivers) + " among jvirt packages"));
        });
        rules.add(noClasses().that().resideInAPackage(root + ".qemu..")
                .should().dependOnClassesThat().resideInAnyPackage(root + ".api..", "io.fabric8..", "io.kubernetes..")
                .as("qemu knows nothing of Kubernetes"));
        for (String component : COMPONENTS) {
            List<String> allowed = new ArrayList<>(DRIVERS);
            allowed.addAll(LIBRARIES.keySet());
            allowed.add("api");
            allowed.add(component);
            rules.add(noClasses().that().resideInAPackage(root + "." + component + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(packagesOf(root, all(), allowed.toArray(String[]::new)))
                    .as(component + " imports api and drivers, never another component"));
        }
        // modules that have no code yet have no classes to check
        return rules.stream().map(rule -> rule.allowEmptyShould(true)).toList();
    }

    private static List<String> all() {
        List<String> all = new ArrayList<>(DRIVERS);
        all.addAll(LIBRARIES.keySet());
        all.addAll(COMPONENTS);
        all.add("api");
        all.add("dist");
        return all;
    }

    /** Package patterns of every module in {@code modules} except the {@code allowed} ones. */
    private static String[] packagesOf(String root, List<String> modules, String... allowed) {
        List<String> allowedList = List.of(allowed);
        return modules.stream().filter(m -> !allowedList.contains(m)).map(m -> root + "." + m + "..").toArray(String[]::new);
    }
}
