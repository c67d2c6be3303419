package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.e2e.ConformanceReport.Entry;
import io.jvirt.e2e.ConformanceReport.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The conformance report's rules: which files must boot, how kubectl's refusals read, which outcomes break the run, the counts. */
class ConformanceReportTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        demo image               | image: quay.io/kubevirt/cirros-container-disk-demo           | true
        a containerDisk          | '  - containerDisk:'                                          | true
        cloud-init NoCloud       | '  - cloudInitNoCloud:'                                       | true
        cloud-init config drive  | '  - cloudInitConfigDrive:'                                   | true
        an emptyDisk             | '    emptyDisk: {capacity: 1Gi}'                              | true
        a PVC only               | '  - persistentVolumeClaim: {claimName: disk}'                | false
        an instancetype          | 'kind: VirtualMachineInstancetype'                            | false
        """)
    void whatMustBoot(String rule, String content, boolean expected) {
        assertEquals(expected, ConformanceReport.expectsBoot(content));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        kind not served  | error: resource mapping not found for name: "csmall" namespace: "default" from "csmall.yaml": no matches for kind "VirtualMachineInstancetype" in version "instancetype.kubevirt.io/v1beta1"\\nensure CRDs are installed first | instancetype.kubevirt.io/v1beta1 VirtualMachineInstancetype not served (no matches for kind "VirtualMachineInstancetype" in version "instancetype.kubevirt.io/v1beta1")
        webhook denial   | Error from server (BadRequest): error when creating "x.yaml": admission webhook "v.kubevirt.io" denied the request: sidecar feature gate is not enabled | Error from server (BadRequest): error when creating "x.yaml": admission webhook "v.kubevirt.io" denied the request: sidecar feature gate is not enabled
        other output     | something   odd                                                   | something odd
        """)
    void kubectlRefusalsReadAsOneLine(String rule, String output, String expected) {
        assertEquals(expected, ConformanceReport.refusal(output.replace("\\n", "\n")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
        booted                                 | true  | BOOTED             | vm: Running, login: on the console | null
        refused for a missing kind             | true  | REFUSED            | pool.kubevirt.io/v1beta1 VirtualMachinePool not served | null
        failed, image not available            | true  | FAILED             | containerDisk image x is not available on node n | null
        failed, the image's registry unreachable | true | FAILED            | v not started (its image could not be pulled): Synchronized: Failed to pull image "registry:5000/k/f:devel": cannot reach registry registry:5000 at https://registry:5000: no such host | null
        failed, the image not in a registry    | true  | FAILED             | v not started (its image could not be pulled): Synchronized: Failed to pull image "127.0.0.1:5000/k/f:1": MANIFEST_UNKNOWN | names the demo image, a containerDisk, cloud-init or an emptyDisk but did not boot, for a reason that names no missing feature: v not started (its image could not be pulled): Synchronized: Failed to pull image "127.0.0.1:5000/k/f:1": MANIFEST_UNKNOWN
        refused as KubeVirt refuses it         | true  | REFUSED            | Error from server (BadRequest): admission webhook "virtualmachine-validator.kubevirt.io" denied the request: VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type | null
        refused by our own rule                | true  | REFUSED            | Error from server: update of VMI object is restricted | names the demo image, a containerDisk, cloud-init or an emptyDisk but did not boot, for a reason that names no missing feature: Error from server: update of VMI object is restricted
        failed for no named feature            | true  | FAILED             | vmi Failed: QEMU exited 1 | names the demo image, a containerDisk, cloud-init or an emptyDisk but did not boot, for a reason that names no missing feature: vmi Failed: QEMU exited 1
        not expected, failed with any reason   | false | FAILED             | PVC disk not found | null
        failed without a reason                | false | FAILED             | ''   | not booted and no reason given
        Running without booting                | false | RUNNING_NOT_BOOTED | vmi Running, no login: | reached Running without booting: vmi Running, no login:
        admitted, no guest                     | false | ADMITTED           | stored | null
        """)
    void violations(String rule, boolean expects, Outcome outcome, String reason, String expected) {
        assertEquals(expected, new Entry("f.yaml", expects, outcome, reason).violation());
    }

    @Test
    void countsAndBrokenRulesArePrinted() {
        ConformanceReport report = new ConformanceReport("dir");
        report.add(new Entry("a.yaml", true, Outcome.BOOTED, "a: Running, login: on the console"));
        report.add(new Entry("b.yaml", false, Outcome.ADMITTED, "stored"));
        report.add(new Entry("c.yaml", true, Outcome.REFUSED, "x/v1 K not served"));
        report.add(new Entry("d.yaml", true, Outcome.RUNNING_NOT_BOOTED, "d Running, no login:"));
        String text = report.render();
        assertTrue(text.contains("4 files: 3 admitted, 2 Running, 1 booted (login: on the console), 1 refused, 0 failed, 1 admitted without a guest"), text);
        assertTrue(text.contains("expected to boot (demo image, containerDisk, cloud-init or emptyDisk): 3, booted 1, not booted 2"), text);
        assertEquals(List.of("d.yaml: reached Running without booting: d Running, no login:"), report.violations());
        assertTrue(text.contains("BROKEN RULES:\n  d.yaml: reached Running without booting"), text);
    }
}
