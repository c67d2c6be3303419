package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code virtctl create vm|instancetype|preference ...}: prints a manifest (nothing is sent to the server), with
 * KubeVirt's flags and messages.
 */
@Command(name = "create", description = "Create a manifest for a resource.",
        subcommands = {Create.Vm.class, Create.Instancetype.class, Create.Preference.class})
final class Create {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Command(name = "vm", description = "Print a VirtualMachine manifest (pipe it to kubectl apply -f -).")
    static final class Vm implements Callable<Integer>, VirtctlMain.Action {
        @Option(names = "--name", description = "Name of the VM (default: vm- and a random suffix).")
        String name;

        @Option(names = "--run-strategy", defaultValue = "Always", description = "Always, RerunOnFailure, Manual, Halted or Once.")
        String runStrategy;

        @Option(names = "--memory", description = "Guest memory (spec.domain.memory.guest, default 512Mi). Mutually exclusive with"
                + " --instancetype and the instancetype inference flags.")
        String memory;

        @Option(names = "--instancetype", description = "[kind/]name of the instancetype (kind virtualmachineinstancetype or, the default,"
                + " virtualmachineclusterinstancetype). Mutually exclusive with the instancetype inference flags.")
        String instancetype;

        @Option(names = "--infer-instancetype", arity = "0..1", description = "Infer the instancetype from the first boot disk"
                + " (default true; errors only count when given).")
        Boolean inferInstancetype;

        @Option(names = "--infer-instancetype-from", description = "The volume to infer the instancetype from.")
        String inferInstancetypeFrom;

        @Option(names = "--preference", description = "[kind/]name of the preference (kind virtualmachinepreference or, the default,"
                + " virtualmachineclusterpreference). Mutually exclusive with the preference inference flags.")
        String preference;

        @Option(names = "--infer-preference", arity = "0..1", description = "Infer the preference from the first boot disk"
                + " (default true; errors only count when given).")
        Boolean inferPreference;

        @Option(names = "--infer-preference-from", description = "The volume to infer the preference from.")
        String inferPreferenceFrom;

        @Option(names = "--termination-grace-period", defaultValue = "180", description = "Seconds the guest gets to shut down.")
        long gracePeriod;

        @Option(names = "--volume-containerdisk", description = "src:IMAGE[,name:NAME][,bootorder:N] (repeatable).")
        List<String> containerDisks = new ArrayList<>();

        @Option(names = "--volume-pvc", description = "src:PVC[,name:NAME][,bootorder:N] (repeatable).")
        List<String> pvcs = new ArrayList<>();

        @Option(names = "--volume-import", description = "type:http,url:URL,size:SIZE[,name:NAME] - a DataVolume template (repeatable).")
        List<String> imports = new ArrayList<>();

        @Option(names = "--cloud-init-user-data", description = "Cloud-init user data, base64 encoded.")
        String userDataBase64;

        @Option(names = "--user", description = "User for cloud-init to create (with --ssh-key).")
        String user;

        @Option(names = "--ssh-key", description = "SSH public key cloud-init installs (repeatable).")
        List<String> sshKeys = new ArrayList<>();

        @Override
        public String doing() {
            return "creating VirtualMachine manifest:";
        }

        @Override
        public Integer call() throws Exception {
            if (!List.of("Always", "RerunOnFailure", "Manual", "Halted", "Once").contains(runStrategy)) {
                throw new IllegalArgumentException("invalid --run-strategy " + runStrategy + ": Always, RerunOnFailure, Manual, Halted or Once");
            }
            exclusive(new String[] {"memory", "instancetype", "infer-instancetype", "infer-instancetype-from"},
                    memory, instancetype, inferInstancetype, inferInstancetypeFrom);
            exclusive(new String[] {"preference", "infer-preference", "infer-preference-from"}, preference, inferPreference, inferPreferenceFrom);
            if (userDataBase64 != null && (user != null || !sshKeys.isEmpty())) {
                throw new IllegalArgumentException("--cloud-init-user-data cannot be combined with --user or --ssh-key");
            }
            System.out.print(YAML.writeValueAsString(manifest()));
            return 0;
        }

        ObjectNode manifest() {
            String vmName = name != null ? name : "vm-" + suffix();
            ObjectNode vm = Api.JSON.createObjectNode().put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachine");
            vm.putObject("metadata").put("name", vmName);
            ObjectNode spec = vm.putObject("spec").put("runStrategy", runStrategy);
            ArrayNode dataVolumeTemplates = Api.JSON.createArrayNode();
            ObjectNode template = spec.putObject("template");
            template.putObject("metadata").putObject("labels").put("kubevirt.io/vm", vmName);
            ObjectNode tspec = template.putObject("spec");
            ObjectNode domain = tspec.putObject("domain");
            ArrayNode disks = domain.putObject("devices").putArray("disks");
            if (instancetype == null) domain.putObject("memory").put("guest", memory != null ? memory : "512Mi");
            if (instancetype != null) spec.set("instancetype", matcher("--instancetype", instancetype, "virtualmachineinstancetype", "virtualmachineclusterinstancetype", "instancetype"));
            if (preference != null) spec.set("preference", matcher("--preference", preference, "virtualmachinepreference", "virtualmachineclusterpreference", "preference"));
            tspec.put("terminationGracePeriodSeconds", gracePeriod);
            ArrayNode volumes = tspec.putArray("volumes");
            int i = 0;
            for (String flag : containerDisks) {
                Map<String, String> p = params("--volume-containerdisk", flag, List.of("src", "name", "bootorder"));
                String volume = p.getOrDefault("name", vmName + "-containerdisk-" + i++);
                disk(disks, volume, p.get("bootorder"));
                volumes.addObject().put("name", volume).putObject("containerDisk").put("image", required(p, "src", "--volume-containerdisk"));
            }
            i = 0;
            for (String flag : pvcs) {
                Map<String, String> p = params("--volume-pvc", flag, List.of("src", "name", "bootorder"));
                String volume = p.getOrDefault("name", vmName + "-pvc-" + i++);
                disk(disks, volume, p.get("bootorder"));
                volumes.addObject().put("name", volume).putObject("persistentVolumeClaim").put("claimName", required(p, "src", "--volume-pvc"));
            }
            i = 0;
            for (String flag : imports) {
                Map<String, String> p = params("--volume-import", flag, List.of("type", "url", "size", "name", "bootorder"));
                if (!"http".equals(p.get("type"))) {
                    throw new IllegalArgumentException("--volume-import: only type:http is supported, not " + p.get("type"));
                }
                String volume = p.getOrDefault("name", vmName + "-import-" + i++);
                ObjectNode dv = dataVolumeTemplates.addObject();
                dv.putObject("metadata").put("name", volume);
                ObjectNode dvSpec = dv.putObject("spec");
                dvSpec.putObject("source").putObject("http").put("url", required(p, "url", "--volume-import"));
                dvSpec.putObject("storage").putObject("resources").putObject("requests").put("storage", required(p, "size", "--volume-import"));
                disk(disks, volume, p.get("bootorder"));
                volumes.addObject().put("name", volume).putObject("dataVolume").put("name", volume);
            }
            String userData = cloudConfig();
            if (userData != null || userDataBase64 != null) {
                disk(disks, "cloudinitdisk", null);
                ObjectNode noCloud = volumes.addObject().put("name", "cloudinitdisk").putObject("cloudInitNoCloud");
                if (userDataBase64 != null) {
                    Base64.getDecoder().decode(userDataBase64); // refuse what is not base64 here, not in the guest
                    noCloud.put("userDataBase64", userDataBase64);
                } else {
                    noCloud.put("userData", userData);
                }
            }
            if (!dataVolumeTemplates.isEmpty()) {
                spec.set("dataVolumeTemplates", dataVolumeTemplates);
            }
            infer(spec, domain, volumes, dataVolumeTemplates);
            return vm;
        }

        /**
         * KubeVirt's inference: unless an instancetype (or memory) was given, {@code spec.instancetype.inferFromVolume}
         * names the first volume (or the one given); likewise the preference. Implicit inference that cannot work
         * (a containerDisk) is left out silently and otherwise asks the server to ignore failures; explicit inference
         * fails here, and drops the default guest memory for the instancetype's.
         */
        private void infer(ObjectNode spec, ObjectNode domain, ArrayNode volumes, ArrayNode dataVolumeTemplates) {
            boolean explicitType = inferInstancetype != null || inferInstancetypeFrom != null;
            if (instancetype == null && memory == null && !Boolean.FALSE.equals(inferInstancetype)) {
                String from = inferenceVolume(inferInstancetypeFrom, volumes, dataVolumeTemplates, explicitType);
                if (from != null) {
                    ObjectNode m = spec.putObject("instancetype").put("inferFromVolume", from);
                    if (explicitType) domain.remove("memory");
                    else m.put("inferFromVolumeFailurePolicy", "IgnoreInferFromVolumeFailure");
                }
            }
            boolean explicitPreference = inferPreference != null || inferPreferenceFrom != null;
            if (preference == null && !Boolean.FALSE.equals(inferPreference)) {
                String from = inferenceVolume(inferPreferenceFrom, volumes, dataVolumeTemplates, explicitPreference);
                if (from != null) {
                    ObjectNode m = spec.putObject("preference").put("inferFromVolume", from);
                    if (!explicitPreference) m.put("inferFromVolumeFailurePolicy", "IgnoreInferFromVolumeFailure");
                }
            }
        }

        /** The volume to infer from, or null when implicit inference cannot work; explicit inference that cannot work throws. */
        private static String inferenceVolume(String named, ArrayNode volumes, ArrayNode dataVolumeTemplates, boolean explicit) {
            String problem = null;
            String name = named;
            if (name == null && volumes.isEmpty()) problem = "at least one volume is needed to infer an instance type or preference";
            if (name == null && !volumes.isEmpty()) name = volumes.get(0).path("name").asText();
            com.fasterxml.jackson.databind.JsonNode volume = null;
            for (var v : volumes) if (v.path("name").asText().equals(name)) volume = v;
            if (problem == null && volume == null) problem = "there is no volume with name '" + name + "'";
            if (problem == null && !volume.has("persistentVolumeClaim") && !volume.has("dataVolume")) {
                problem = "inference of instancetype or preference works only with DataSources, DataVolumes or PersistentVolumeClaims";
            }
            if (problem == null && volume.has("dataVolume")) {
                for (var t : dataVolumeTemplates) {
                    if (t.path("metadata").path("name").asText().equals(volume.path("dataVolume").path("name").asText())
                            && !t.path("spec").path("source").has("pvc") && !t.path("spec").path("source").has("registry")
                            && !t.path("spec").path("source").has("snapshot") && !"DataSource".equals(t.path("spec").path("sourceRef").path("kind").asText())) {
                        problem = "this DataVolume is not valid to infer an instancetype or preference from (source needs to be PVC, Registry or"
                                + " Snapshot, sourceRef needs to be DataSource)";
                    }
                }
            }
            if (problem == null) return name;
            if (explicit) throw new IllegalArgumentException(problem);
            return null;
        }

        /** {@code [kind/]name} as a matcher; the kind, when given, must be one of the two KubeVirt accepts. */
        private static ObjectNode matcher(String flag, String value, String namespaced, String cluster, String what) {
            int slash = value.indexOf('/');
            String kind = slash < 0 ? "" : value.substring(0, slash);
            String name = value.substring(slash + 1);
            if (name.isEmpty() || name.contains("/")) throw new IllegalArgumentException("failed to parse \"" + flag + "\": invalid prefixed name: " + value);
            if (!kind.isEmpty() && !kind.equals(namespaced) && !kind.equals(cluster)) {
                throw new IllegalArgumentException("failed to parse \"" + flag + "\": invalid " + what + " kind \"" + kind
                        + "\", supported values are: " + namespaced + ", " + cluster);
            }
            ObjectNode m = Api.JSON.createObjectNode().put("name", name);
            if (!kind.isEmpty()) m.put("kind", kind);
            return m;
        }

        private String cloudConfig() {
            if (user == null && sshKeys.isEmpty()) {
                return null;
            }
            StringBuilder sb = new StringBuilder("#cloud-config\n");
            if (user != null) {
                sb.append("user: ").append(user).append('\n');
            }
            if (!sshKeys.isEmpty()) {
                sb.append("ssh_authorized_keys:\n");
                sshKeys.forEach(k -> sb.append("  - ").append(k.strip()).append('\n'));
            }
            return sb.toString();
        }

        private static void disk(ArrayNode disks, String name, String bootOrder) {
            ObjectNode d = disks.addObject().put("name", name);
            d.putObject("disk").put("bus", "virtio");
            if (bootOrder != null) {
                d.put("bootOrder", Integer.parseInt(bootOrder));
            }
        }

        /** cobra's message for mutually exclusive flags, as KubeVirt's virtctl prints it. */
        static void exclusive(String[] group, Object... values) {
            List<String> set = new ArrayList<>();
            for (int i = 0; i < group.length; i++) if (values[i] != null) set.add(group[i]);
            if (set.size() > 1) {
                throw new IllegalArgumentException("if any flags in the group [" + String.join(" ", group) + "] are set none of the others can be; ["
                        + String.join(" ", set.stream().sorted().toList()) + "] were all set");
            }
        }

        /** {@code key:value,key:value} as KubeVirt's create flags take them; unknown keys are refused. */
        static Map<String, String> params(String flag, String value, List<String> keys) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String part : value.split(",")) {
                int colon = part.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(flag + ": '" + part + "' is not key:value (e.g. src:IMAGE)");
                }
                String key = part.substring(0, colon);
                if (!keys.contains(key)) {
                    throw new IllegalArgumentException(flag + ": unknown key '" + key + "' (known: " + String.join(", ", keys) + ")");
                }
                out.put(key, part.substring(colon + 1));
            }
            return out;
        }

        private static String required(Map<String, String> p, String key, String flag) {
            String v = p.get(key);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs " + key + ":...");
            }
            return v;
        }

        static String suffix() {
            String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
            SecureRandom r = new SecureRandom();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                sb.append(chars.charAt(r.nextInt(chars.length())));
            }
            return sb.toString();
        }
    }

    @Command(name = "instancetype", description = "Print a VirtualMachineClusterInstancetype (or, with --namespaced, VirtualMachineInstancetype) manifest.")
    static final class Instancetype implements Callable<Integer>, VirtctlMain.Action {
        @Option(names = "--name", description = "Name (default: clusterinstancetype- or instancetype- and a random suffix).")
        String name;

        @Option(names = "--cpu", required = true, description = "Number of guest vCPUs.")
        long cpu;

        @Option(names = "--memory", required = true, description = "Guest memory, e.g. 256Mi.")
        String memory;

        @Option(names = "--iothreadspolicy", description = "IOThreadsPolicy: auto or shared.")
        String ioThreadsPolicy;

        @Option(names = "--namespaced", description = "Make a VirtualMachineInstancetype instead of a VirtualMachineClusterInstancetype.")
        boolean namespaced;

        @Option(names = "--gpu", description = "name:NAME,devicename:DEVICE (repeatable).")
        List<String> gpus = new ArrayList<>();

        @Option(names = "--hostdevice", description = "name:NAME,devicename:DEVICE (repeatable).")
        List<String> hostDevices = new ArrayList<>();

        @Override
        public String doing() {
            return "creating instancetype manifest:";
        }

        @Override
        public Integer call() throws Exception {
            System.out.print(YAML.writeValueAsString(manifest()));
            return 0;
        }

        ObjectNode manifest() {
            if (cpu <= 0) throw new IllegalArgumentException("cpu value must be greater than zero");
            io.jvirt.api.meta.Quantity.parse(memory); // refuses what is not a quantity
            ObjectNode o = Api.JSON.createObjectNode().put("apiVersion", "instancetype.kubevirt.io/v1beta1")
                    .put("kind", namespaced ? "VirtualMachineInstancetype" : "VirtualMachineClusterInstancetype");
            o.putObject("metadata").put("name", name != null ? name : (namespaced ? "instancetype-" : "clusterinstancetype-") + Vm.suffix());
            ObjectNode spec = o.putObject("spec");
            spec.putObject("cpu").put("guest", cpu);
            spec.putObject("memory").put("guest", memory);
            devices(spec, "gpus", "--gpu", gpus);
            devices(spec, "hostDevices", "--hostdevice", hostDevices);
            if (ioThreadsPolicy != null) {
                if (!List.of("auto", "shared").contains(ioThreadsPolicy)) {
                    throw new IllegalArgumentException("failed to parse \"--iothreadspolicy\": IOThread must be of value auto or shared");
                }
                spec.put("ioThreadsPolicy", ioThreadsPolicy);
            }
            return o;
        }

        private static void devices(ObjectNode spec, String field, String flag, List<String> values) {
            for (String value : values) {
                Map<String, String> p = Vm.params(flag, value, List.of("name", "devicename"));
                if (p.getOrDefault("name", "").isEmpty()) throw new IllegalArgumentException("failed to parse \"" + flag + "\": name must be specified");
                if (p.getOrDefault("devicename", "").isEmpty()) throw new IllegalArgumentException("failed to parse \"" + flag + "\": deviceName must be specified");
                (spec.has(field) ? (ArrayNode) spec.get(field) : spec.putArray(field)).addObject().put("name", p.get("name")).put("deviceName", p.get("devicename"));
            }
        }
    }

    @Command(name = "preference", description = "Print a VirtualMachineClusterPreference (or, with --namespaced, VirtualMachinePreference) manifest.")
    static final class Preference implements Callable<Integer>, VirtctlMain.Action {
        @Option(names = "--name", description = "Name (default: clusterpreference- or preference- and a random suffix).")
        String name;

        @Option(names = "--namespaced", description = "Make a VirtualMachinePreference instead of a VirtualMachineClusterPreference.")
        boolean namespaced;

        @Option(names = "--cpu-topology", description = "Preferred CPU topology: sockets, cores, threads, spread or any.")
        String cpuTopology;

        @Option(names = "--volume-storage-class", description = "Preferred StorageClass of the VM's volumes.")
        String storageClass;

        @Option(names = "--machine-type", description = "Preferred machine type, e.g. q35.")
        String machineType;

        @Override
        public String doing() {
            return "creating preference manifest:";
        }

        @Override
        public Integer call() throws Exception {
            System.out.print(YAML.writeValueAsString(manifest()));
            return 0;
        }

        ObjectNode manifest() {
            ObjectNode o = Api.JSON.createObjectNode().put("apiVersion", "instancetype.kubevirt.io/v1beta1")
                    .put("kind", namespaced ? "VirtualMachinePreference" : "VirtualMachineClusterPreference");
            o.putObject("metadata").put("name", name != null ? name : (namespaced ? "preference-" : "clusterpreference-") + Vm.suffix());
            ObjectNode spec = o.putObject("spec");
            if (cpuTopology != null) {
                if (!List.of("sockets", "cores", "threads", "spread", "any").contains(cpuTopology)) {
                    throw new IllegalArgumentException("failed to parse \"--cpu-topology\": CPU topology must have a value of sockets, cores, threads, spread or any");
                }
                spec.putObject("cpu").put("preferredCPUTopology", cpuTopology);
            }
            if (storageClass != null) spec.putObject("volumes").put("preferredStorageClassName", storageClass);
            if (machineType != null) spec.putObject("machine").put("preferredMachineType", machineType);
            return o;
        }
    }
}
