package io.jvirt.e2e;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A ConfigMap and a Secret reach a VM's guest as KubeVirt gives them: {@code ./jvirt up}, the stock kubectl creating
 * both and a VM whose configMap and secret volumes sit on disks without a bus (defaulted to sata); on the guest's
 * console (the API server's console subresource) each disk is mounted by its label and read.
 */
class ConfigVolumesIT {
    private static JvirtUp jvirt;
    private static Api api;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        api = Api.of(jvirt.kubeconfig());
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
    }

    @Test
    void aVmMountsItsConfigMapAndSecretDisks() throws Exception {
        jvirt.kubectl("create", "configmap", "app-config", "--from-literal=greeting=hello-from-the-configmap");
        jvirt.kubectl("create", "secret", "generic", "app-secret", "--from-literal=password=s3cret-value");
        jvirt.kubectlWithInput("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: vm-config
                spec:
                  runStrategy: Always
                  template:
                    spec:
                      domain:
                        memory:
                          guest: 128Mi
                        devices:
                          disks:
                          - name: containerdisk
                            disk: {bus: virtio}
                            bootOrder: 1
                          - name: app-config
                            disk: {}
                          - name: app-secret
                            disk: {}
                      volumes:
                      - name: containerdisk
                        containerDisk:
                          image: registry:5000/kubevirt/cirros-container-disk-demo:devel
                      - name: app-config
                        configMap:
                          name: app-config
                      - name: app-secret
                        secret:
                          secretName: app-secret
                          volumeLabel: appsecret
                """, "apply", "-f", "-");
        Waits.until("VMI vm-config Running", Duration.ofSeconds(180), () -> {
            var v = api.vmi("vm-config");
            return v != null && "Running".equals(v.path("status").path("phase").asText()) ? v : null;
        });
        try (Api.Stream console = api.stream("vm-config", "console")) {
            console.login(Duration.ofSeconds(180));
            console.expect("mkdir -p /mnt/c && mount -t iso9660 \"$(findfs LABEL=cfgdata)\" /mnt/c && cat /mnt/c/greeting",
                    "hello-from-the-configmap", Duration.ofSeconds(60));
            console.expect("mkdir -p /mnt/s && mount -t iso9660 \"$(findfs LABEL=appsecret)\" /mnt/s && cat /mnt/s/password",
                    "s3cret-value", Duration.ofSeconds(60));
        }
    }
}
