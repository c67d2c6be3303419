package io.jvirt.architecture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Fails the build when a module imports across the layering rule (see {@link Layering}). */
class LayeringTest {
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jvirt");

    static Stream<ArchRule> productionRules() {
        return Layering.rules("io.jvirt").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("productionRules")
    void productionCodeKeepsTheLayering(ArchRule rule) {
        rule.check(PRODUCTION);
    }

    @Test
    void theRuleSeesEveryModule() {
        for (String module : List.of("api", "qemu", "converter", "network", "store", "apiserver", "controller", "handler", "dist")) {
            assertTrue(PRODUCTION.containPackage("io.jvirt." + module)
                    || PRODUCTION.stream().anyMatch(c -> c.getPackageName().startsWith("io.jvirt." + module + ".")),
                    "classes of module " + module + " are on the rule's classpath");
        }
    }

    @Test
    void aFixtureThatImportsUpwardBreaksTheRule() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.jvirt.architecture.fixture");
        List<EvaluationResult> results = Layering.rules("io.jvirt.architecture.fixture").stream()
                .map(rule -> rule.evaluate(fixture)).toList();
        List<String> violations = results.stream().filter(EvaluationResult::hasViolation)
                .flatMap(r -> r.getFailureReport().getDetails().stream()).toList();
        assertFalse(violations.isEmpty(), "the upward import in the fixture must be reported");
        assertTrue(violations.stream().anyMatch(v -> v.contains("fixture.qemu.Driver") && v.contains("fixture.api.VmSpec")), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("fixture.api.VmSpec") && v.contains("fixture.qemu.Driver")), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("fixture.converter.Converter") && v.contains("fixture.handler.Agent")), violations.toString());
    }
}
