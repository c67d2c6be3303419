package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jvirt.api.v1.VirtualMachine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code virtctl create vm}: the manifest for given flags, that it reads back as a VirtualMachine, and flag errors. */
class CreateVmTest {
    @Test
    void manifestForContainerDiskAndSshUser() throws Exception {
        String yaml = run("create", "vm", "--name", "vm-a", "--memory", "128Mi", "--run-strategy", "Halted",
                "--volume-containerdisk", "src:quay.io/kubevirt/cirros-container-disk-demo:latest,bootorder:1",
                "--user", "alice", "--ssh-key", "ssh-ed25519 AAAA alice@example");
        assertEquals("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: vm-a
                spec:
                  runStrategy: Halted
                  template:
                    metadata:
                      labels:
                        kubevirt.io/vm: vm-a
                    spec:
                      domain:
                        devices:
                          disks:
                          - name: vm-a-containerdisk-0
                            disk:
                              bus: virtio
                            bootOrder: 1
                          - name: cloudinitdisk
                            disk:
                              bus: virtio
                        memory:
                          guest: 128Mi
                      terminationGracePeriodSeconds: 180
                      volumes:
                      - name: vm-a-containerdisk-0
                        containerDisk:
                          image: quay.io/kubevirt/cirros-container-disk-demo:latest
                      - name: cloudinitdisk
                        cloudInitNoCloud:
                          userData: |
                            #cloud-config
                            user: alice
                            ssh_authorized_keys:
                              - ssh-ed25519 AAAA alice@example
                """, yaml);
        VirtualMachine vm = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(yaml, VirtualMachine.class);
        assertEquals("vm-a", vm.metadata().name());
        assertEquals(2, vm.spec().template().spec().volumes().size());
    }

    @Test
    void importAndPvcVolumesAndGeneratedName() throws Exception {
        String yaml = run("create", "vm", "--volume-import", "type:http,url:http://127.0.0.1:8080/disk.qcow2,size:1Gi",
                "--volume-pvc", "src:data,name:data");
        assertTrue(yaml.matches("(?s).*name: vm-[a-z0-9]{5}\\n.*"), yaml);
        assertTrue(yaml.contains("dataVolumeTemplates:") && yaml.contains("url: http://127.0.0.1:8080/disk.qcow2") && yaml.contains("storage: 1Gi"), yaml);
        assertTrue(yaml.contains("claimName: data") && yaml.contains("runStrategy: Always") && yaml.contains("guest: 512Mi"), yaml);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        --volume-containerdisk=quay.io/x                  | is not key:value
        --volume-containerdisk=src:quay.io/x,size:1Gi     | unknown key 'size'
        --volume-import=type:s3,url:x,size:1Gi            | only type:http
        --volume-import=type:http,url:http://x            | needs size
        --run-strategy=Sometimes                          | invalid --run-strategy Sometimes
        --cloud-init-user-data=not-base64!                | Illegal base64
        """)
    void badFlagsAreRefusedWithTheReason(String flag, String message) throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cl = VirtctlMain.commandLine();
        cl.setErr(new PrintWriter(err));
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = cl.execute("create", "vm", "--name", "x", flag);
        } finally {
            System.setOut(stdout);
        }
        assertEquals(1, exit);
        assertTrue(err.toString().contains(message), err.toString());
    }

    static String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, VirtctlMain.commandLine().execute(args));
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
