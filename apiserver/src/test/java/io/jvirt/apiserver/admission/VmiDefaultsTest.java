package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.admission.VmiDefaults.Target;
import io.jvirt.apiserver.http.ApiException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KubeVirt's defaults, one row per rule: a VMI spec (single quotes for double), the KubeVirt CR's configuration, a JSON
 * pointer into the defaulted spec and the value it must hold (missing: {@code <none>}). Random UUIDs come from a fixed
 * sequence here ({@code 00000000-0000-0000-0000-00000000000N}).
 */
class VmiDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Supplier<UUID> sequence() {
        AtomicLong n = new AtomicLong();
        return () -> new UUID(0, n.incrementAndGet());
    }

    private static JsonNode defaulted(Target target, String kind, String spec, String config, String userName, Operation op) throws Exception {
        ObjectNode object = JSON.createObjectNode();
        object.putObject("metadata").put("name", "vm1");
        object.set("spec", JSON.readTree(spec.replace('\'', '"')));
        ClusterConfig cluster = new ClusterConfig(JSON.readTree(config.replace('\'', '"')));
        new VmiDefaults(target, () -> cluster, sequence()).mutate(new AdmissionRequest(op, VmiSpecRulesTest.type(kind), null, object, null, userName, false));
        return object.get("spec");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        architecture                      | {'domain':{}}                                                                | {}  | /architecture                       | "amd64"
        machine type q35                  | {'domain':{}}                                                                | {}  | /domain/machine/type                | "q35"
        machine type from the CR          | {'domain':{}}                                                                | {'architectureConfiguration':{'amd64':{'machineType':'pc-q35-9.2'}}} | /domain/machine/type | "pc-q35-9.2"
        machine type kept                 | {'domain':{'machine':{'type':'pc-q35-8.0'}}}                                 | {}  | /domain/machine/type                | "pc-q35-8.0"
        cpu request from limit            | {'domain':{'resources':{'limits':{'cpu':'2'}}}}                              | {}  | /domain/resources/requests/cpu      | "2"
        cpu request kept                  | {'domain':{'resources':{'limits':{'cpu':'2'},'requests':{'cpu':'500m'}}}}    | {}  | /domain/resources/requests/cpu      | "500m"
        guest memory from request         | {'domain':{'resources':{'requests':{'memory':'64Mi'},'limits':{'memory':'1Gi'}}}} | {} | /domain/memory/guest          | "64Mi"
        guest memory from limit           | {'domain':{'resources':{'limits':{'memory':'1Gi'}}}}                         | {}  | /domain/memory/guest                | "1Gi"
        guest memory from hugepages       | {'domain':{'memory':{'hugepages':{'pageSize':'2Mi'}}}}                       | {}  | /domain/memory/guest                | "2Mi"
        guest memory kept                 | {'domain':{'memory':{'guest':'128Mi'},'resources':{'requests':{'memory':'1Gi'}}}} | {} | /domain/memory/guest          | "128Mi"
        no memory request from guest      | {'domain':{'memory':{'guest':'128Mi'}}}                                      | {}  | /domain/resources                   | {}
        one socket                        | {'domain':{}}                                                                | {}  | /domain/cpu                         | {"sockets":1,"cores":1,"threads":1,"model":"host-model"}
        sockets from cpu limit            | {'domain':{'resources':{'limits':{'cpu':'2500m'}}}}                          | {}  | /domain/cpu/sockets                 | 3
        sockets from cpu request          | {'domain':{'resources':{'requests':{'cpu':'2'}}}}                            | {}  | /domain/cpu/sockets                 | 2
        topology kept when one is set     | {'domain':{'cpu':{'cores':2}}}                                               | {}  | /domain/cpu                         | {"cores":2,"model":"host-model"}
        cpu model from the CR             | {'domain':{}}                                                                | {'cpuModel':'Haswell'} | /domain/cpu/model        | "Haswell"
        pull policy, tag                  | {'domain':{},'volumes':[{'name':'d','containerDisk':{'image':'quay.io/a/b:v1'}}]}  | {} | /volumes/0/containerDisk/imagePullPolicy | "IfNotPresent"
        pull policy, latest               | {'domain':{},'volumes':[{'name':'d','containerDisk':{'image':'quay.io/a/b:latest'}}]} | {} | /volumes/0/containerDisk/imagePullPolicy | "Always"
        pull policy, no tag               | {'domain':{},'volumes':[{'name':'d','containerDisk':{'image':'b'}}]}         | {}  | /volumes/0/containerDisk/imagePullPolicy | "Always"
        pull policy, digest               | {'domain':{},'volumes':[{'name':'d','containerDisk':{'image':'b@sha256:00'}}]} | {} | /volumes/0/containerDisk/imagePullPolicy | "IfNotPresent"
        eviction strategy from the CR     | {'domain':{}}                                                                | {'evictionStrategy':'LiveMigrate'} | /evictionStrategy | "LiveMigrate"
        no eviction strategy by default   | {'domain':{}}                                                                | {}  | /evictionStrategy                   | <none>
        pod network                       | {'domain':{}}                                                                | {}  | /networks                           | [{"name":"default","pod":{}}]
        pod interface, bridge             | {'domain':{}}                                                                | {}  | /domain/devices/interfaces          | [{"name":"default","bridge":{}}]
        pod interface, masquerade         | {'domain':{}}                                                                | {'network':{'defaultNetworkInterface':'masquerade'}} | /domain/devices/interfaces | [{"name":"default","masquerade":{}}]
        no pod network with interfaces    | {'domain':{'devices':{'interfaces':[{'name':'n','bridge':{}}]}},'networks':[{'name':'n','multus':{'networkName':'x'}}]} | {} | /networks | [{"name":"n","multus":{"networkName":"x"}}]
        no pod network when not attached  | {'domain':{'devices':{'autoattachPodInterface':false}}}                     | {}  | /networks                           | <none>
        disk for a volume                 | {'domain':{'devices':{'disks':[{'name':'d','disk':{'bus':'virtio'}}]}},'volumes':[{'name':'d','containerDisk':{'image':'x'}},{'name':'ci','cloudInitNoCloud':{'userData':'x'}}]} | {} | /domain/devices/disks | [{"name":"d","disk":{"bus":"virtio"}},{"name":"ci","disk":{"bus":"sata"}}]
        no disk for a filesystem          | {'domain':{'devices':{'filesystems':[{'name':'fs','virtiofs':{}}]}},'volumes':[{'name':'fs','persistentVolumeClaim':{'claimName':'c'}}]} | {} | /domain/devices/disks | <none>
        disk bus sata                     | {'domain':{'devices':{'disks':[{'name':'d','disk':{}}]}}}                    | {}  | /domain/devices/disks/0/disk/bus    | "sata"
        lun bus sata                      | {'domain':{'devices':{'disks':[{'name':'d','lun':{}}]}}}                     | {}  | /domain/devices/disks/0/lun/bus     | "sata"
        cdrom defaults                    | {'domain':{'devices':{'disks':[{'name':'c','cdrom':{}}]}}}                   | {}  | /domain/devices/disks/0/cdrom       | {"readonly":true,"tray":"closed","bus":"sata"}
        cdrom kept                        | {'domain':{'devices':{'disks':[{'name':'c','cdrom':{'bus':'scsi','readonly':false,'tray':'open'}}]}}} | {} | /domain/devices/disks/0/cdrom | {"bus":"scsi","readonly":false,"tray":"open"}
        firmware uuid                     | {'domain':{}}                                                                | {}  | /domain/firmware                    | {"uuid":"00000000-0000-0000-0000-000000000001"}
        firmware uuid kept                | {'domain':{'firmware':{'uuid':'5d307ca9-b3ef-428c-8861-06e72d69f223'}}}      | {}  | /domain/firmware/uuid               | "5d307ca9-b3ef-428c-8861-06e72d69f223"
        acpi on                           | {'domain':{}}                                                                | {}  | /domain/features                    | {"acpi":{"enabled":true}}
        acpi off kept                     | {'domain':{'features':{'acpi':{'enabled':false}}}}                           | {}  | /domain/features/acpi/enabled       | false
        present features enabled          | {'domain':{'features':{'apic':{},'smm':{},'hyperv':{'relaxed':{},'spinlocks':{},'synictimer':{'direct':{}}}}}} | {} | /domain/features | {"apic":{"enabled":true},"smm":{"enabled":true},"hyperv":{"relaxed":{"enabled":true},"spinlocks":{"enabled":true,"spinlocks":4096},"synictimer":{"direct":{"enabled":true},"enabled":true}},"acpi":{"enabled":true}}
        clock timers enabled              | {'domain':{'clock':{'utc':{},'timer':{'rtc':{'tickPolicy':'catchup'},'pit':{'present':false}}}}} | {} | /domain/clock/timer | {"rtc":{"tickPolicy":"catchup","present":true},"pit":{"present":false}}
        input is a usb tablet             | {'domain':{'devices':{'inputs':[{'name':'t'}]}}}                             | {}  | /domain/devices/inputs/0            | {"name":"t","bus":"usb","type":"tablet"}
        probe timings                     | {'domain':{},'readinessProbe':{'tcpSocket':{'port':80}}}                     | {}  | /readinessProbe                     | {"tcpSocket":{"port":80},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}
        watchdog resets                   | {'domain':{'devices':{'watchdog':{'name':'w'}}}}                             | {}  | /domain/devices/watchdog            | {"name":"w","i6300esb":{"action":"reset"}}
        grace period 30 s                 | {'domain':{}}                                                                | {}  | /terminationGracePeriodSeconds      | 30
        grace period kept                 | {'domain':{},'terminationGracePeriodSeconds':0}                              | {}  | /terminationGracePeriodSeconds      | 0
        wrong type left to the schema     | {'domain':{'cpu':'x','memory':7,'devices':[]},'volumes':'v'}                 | {}  | /domain                             | {"cpu":"x","memory":7,"devices":[],"machine":{"type":"q35"},"resources":{},"firmware":{"uuid":"00000000-0000-0000-0000-000000000001"},"features":{"acpi":{"enabled":true}}}
        no domain: nothing                | {'volumes':[]}                                                               | {}  | /architecture                       | <none>
        """)
    void vmiRule(String rule, String spec, String config, String pointer, String expected) throws Exception {
        JsonNode out = defaulted(Target.VMI, "VirtualMachineInstance", spec, config, "admin", Operation.CREATE);
        JsonNode at = out.at(pointer);
        assertEquals(expected, at.isMissingNode() ? "<none>" : at.toString(), out.toPrettyString());
    }

    @Test
    void defaultingTwiceChangesNothing() throws Exception {
        String spec = "{'domain':{'resources':{'limits':{'cpu':'2'}}},'volumes':[{'name':'d','containerDisk':{'image':'x'}}]}";
        JsonNode once = defaulted(Target.VMI, "VirtualMachineInstance", spec, "{}", "admin", Operation.CREATE);
        JsonNode twice = defaulted(Target.VMI, "VirtualMachineInstance", once.toString().replace('"', '\''), "{}", "admin", Operation.CREATE);
        assertEquals(once.toString(), twice.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        bridge not permitted | {'network':{'permitBridgeInterfaceOnPodNetwork':false}} | admission webhook "virtualmachineinstances-mutator.kubevirt.io" denied the request: bridge interface is not enabled in kubevirt-config
        slirp                | {'network':{'defaultNetworkInterface':'slirp'}}         | admission webhook "virtualmachineinstances-mutator.kubevirt.io" denied the request: slirp interface is deprecated as of v1.3
        """)
    void defaultKubeVirtCannotApplyIs400(String rule, String config, String message) {
        ApiException e = assertThrows(ApiException.class, () -> defaulted(Target.VMI, "VirtualMachineInstance", "{'domain':{}}", config, "admin", Operation.CREATE));
        assertEquals(400, e.code());
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        machine type            | CREATE | {'template':{'spec':{'domain':{}}}}                                    | /template/spec/domain/machine/type | "q35"
        architecture            | UPDATE | {'template':{'spec':{'domain':{}}}}                                    | /template/spec/architecture        | "amd64"
        firmware uuid and serial| CREATE | {'template':{'spec':{'domain':{}}}}                                    | /template/spec/domain/firmware     | {"uuid":"00000000-0000-0000-0000-000000000001","serial":"00000000-0000-0000-0000-000000000002"}
        firmware kept           | CREATE | {'template':{'spec':{'domain':{'firmware':{'uuid':'u','serial':'s'}}}}} | /template/spec/domain/firmware    | {"uuid":"u","serial":"s"}
        no firmware on update   | UPDATE | {'template':{'spec':{'domain':{}}}}                                    | /template/spec/domain/firmware     | <none>
        no VMI defaults on a VM | CREATE | {'template':{'spec':{'domain':{}}}}                                    | /template/spec/networks            | <none>
        no template: nothing    | CREATE | {'runStrategy':'Always'}                                               | /template                          | <none>
        """)
    void vmRule(String rule, Operation op, String spec, String pointer, String expected) throws Exception {
        JsonNode out = defaulted(Target.VM, "VirtualMachine", spec, "{}", "admin", op);
        JsonNode at = out.at(pointer);
        assertEquals(expected, at.isMissingNode() ? "<none>" : at.toString(), out.toPrettyString());
    }
}
