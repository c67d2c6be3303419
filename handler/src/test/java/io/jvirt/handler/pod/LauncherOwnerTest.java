package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a pod must say of itself before the node considers running its launcher (pure; the live VMI check is the VMI side's). */
class LauncherOwnerTest {
    private static final String UID = "0123abcd-4567-89ef-aaaa-bbbbccccdddd";

    /** A launcher pod as virt-controller makes it, its command a foreign one (never read), changed per {@code variant}. */
    private static Pod pod(String variant) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("virt-launcher-vm1-0123a").withNamespace("ns")
                .addToLabels(LauncherOwner.APP_LABEL, LauncherOwner.APP_VALUE).addToLabels(LauncherOwner.CREATED_BY, UID)
                .addNewOwnerReference().withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance").withName("vm1").withUid(UID)
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addNewContainer().withName("compute").withCommand("/bin/sh", "-c", "id > /tmp/x").endContainer().endSpec();
        switch (variant) {
            case "as made" -> { }
            case "no labels" -> b.editMetadata().withLabels(null).endMetadata();
            case "other app label" -> b.editMetadata().addToLabels(LauncherOwner.APP_LABEL, "something-else").endMetadata();
            case "no owner" -> b.editMetadata().withOwnerReferences(List.of()).endMetadata();
            case "owner not controller" -> b.editMetadata().editFirstOwnerReference().withController(false).endOwnerReference().endMetadata();
            case "owner a ReplicaSet" -> b.editMetadata().editFirstOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                    .endOwnerReference().endMetadata();
            case "owner VMI of another group" -> b.editMetadata().editFirstOwnerReference().withApiVersion("evil.io/v1").endOwnerReference().endMetadata();
            case "created-by elsewhere" -> b.editMetadata().withLabels(Map.of(LauncherOwner.APP_LABEL, LauncherOwner.APP_VALUE,
                    LauncherOwner.CREATED_BY, "another-uid")).endMetadata();
            default -> throw new IllegalArgumentException(variant);
        }
        return b.build();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({
        "no labels,                  NotALauncherPod",
        "other app label,            NotALauncherPod",
        "no owner,                   NoVmiOwner",
        "owner not controller,       NoVmiOwner",
        "owner a ReplicaSet,         NoVmiOwner",
        "owner VMI of another group, NoVmiOwner",
        "created-by elsewhere,       VmiMismatch",
    })
    void refusedWithTheReason(String variant, String reason) {
        PodRefusedException e = assertThrows(PodRefusedException.class, () -> LauncherOwner.of(pod(variant)));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource("as made")
    void theOwnerOfALauncherPodIsItsVmi(String variant) throws Exception {
        assertEquals(new LauncherOwner("ns", "vm1", UID), LauncherOwner.of(pod(variant)));
    }
}
