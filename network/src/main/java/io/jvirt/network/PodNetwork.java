package io.jvirt.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.cni.NetworkList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One node agent's pod network: the standard CNI plugins {@code bridge} + {@code host-local} IPAM + {@code portmap}
 * on a host bridge {@code jvbr<instance id>} with a /24 of its own, run for each pod's network namespace.
 *
 * <p>Under {@code <cni dir>} (the agent's {@code $JVIRT_HOME/cni}, root's only): {@code jvirt-<id>.conflist} (written
 * at {@link #open}), {@code ipam/} (host-local's data directory: one lease file per address, naming the container)
 * and {@code results/<container id>.json} (each ADD's result, for DEL and CHECK). Every name outside it carries the
 * instance id, as the agent's netns and cgroups do, so {@link #sweep} touches only this agent's leftovers.
 *
 * <p>Dual-stack ({@link #open(Path, String, Ipv4, boolean, CniPlugin)}): host-local's second range, a ULA /64 per
 * instance, gives each pod an IPv6 address after its IPv4 one, with the bridge's ::1 as the IPv6 gateway.
 *
 * <p>The host bridge holds the gateway address; the plugin's {@code isGateway} and {@code ipMasq} stay off, so
 * the host never forwards or masquerades pod traffic: pods reach each other (same bridge) and the host, the host
 * reaches them, nothing leaves the machine. {@code portmap}'s rules (iptables-nft, {@code table ip nat}) carry
 * the network's name and container id and go with each DEL. Thread-safe: the plugins lock host-local's store;
 * calls for one container are the caller's to serialize.
 */
public final class PodNetwork {
    /** The pod's interface, as in a kubelet pod. */
    public static final String POD_INTERFACE = "eth0";
    private static final System.Logger LOG = System.getLogger(PodNetwork.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORTMAP_ID = Pattern.compile("name: \\\\?\"([^\"\\\\]+)\\\\?\" id: \\\\?\"([^\"\\\\]+)\\\\?\"");

    /** A port of the host forwarded to the pod ({@code portmap}'s {@code portMappings} capability). */
    public record PortMapping(int hostPort, int containerPort, String protocol) {
        public PortMapping {
            if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
                throw new IllegalArgumentException("ports must be 1-65535: " + hostPort + " -> " + containerPort);
            }
            if (!Set.of("tcp", "udp", "sctp").contains(protocol)) {
                throw new IllegalArgumentException("protocol must be tcp, udp or sctp: " + protocol);
            }
        }
    }

    private final Path dir;
    private final String instanceId;
    private final Ipv4 subnet;
    private final String ipv6Subnet;
    private final CniPlugin plugins;
    private final NetworkList list;

    private PodNetwork(Path dir, String instanceId, Ipv4 subnet, String ipv6Subnet, CniPlugin plugins, NetworkList list) {
        this.dir = dir;
        this.instanceId = instanceId;
        this.subnet = subnet;
        this.ipv6Subnet = ipv6Subnet;
        this.plugins = plugins;
        this.list = list;
    }

    /** IPv4 only ({@link #open(Path, String, Ipv4, boolean, CniPlugin)} without IPv6), the node agent's default. */
    public static PodNetwork open(Path cniDir, String instanceId, Ipv4 subnet, CniPlugin plugins) throws IOException {
        return open(cniDir, instanceId, subnet, false, plugins);
    }

    /**
     * Writes the network list and makes the host bridge (with the gateway, .1 of {@code subnet}) when missing.
     * {@code subnet} null picks a /24 in 10.128.0.0/9 from the instance id, the next free one when a route on
     * the host overlaps it. Idempotent: an agent restart finds its bridge and keeps its subnet (read back from
     * the bridge's address). {@code dualStack} adds IPv6: the ULA /64 {@link #ipv6Subnet(String)} of the instance id as
     * host-local's second range (so each pod gets an IPv4 and then an IPv6 address, the order Kubernetes lists
     * {@code podIPs} in), its ::1 on the bridge and a default route {@code ::/0} via it; forwarding and masquerading stay
     * off for both families.
     */
    public static PodNetwork open(Path cniDir, String instanceId, Ipv4 subnet, boolean dualStack, CniPlugin plugins) throws IOException {
        if (!instanceId.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("instance id must be 8 hex digits: " + instanceId);
        }
        Files.createDirectories(cniDir);
        Files.setPosixFilePermissions(cniDir, PosixFilePermissions.fromString("rwx------"));
        String bridge = bridgeName(instanceId);
        Ipv4 chosen = subnet != null ? subnet : existingSubnet(bridge);
        if (chosen == null) {
            chosen = freeSubnet(instanceId, routes());
        }
        String ipv6 = dualStack ? ipv6Subnet(instanceId) : null;
        ensureBridge(bridge, chosen, ipv6);
        ObjectNode conflist = conflist(networkName(instanceId), bridge, chosen, ipv6, cniDir.resolve("ipam"));
        Path file = cniDir.resolve(networkName(instanceId) + ".conflist");
        Path tmp = cniDir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(conflist));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.createDirectories(cniDir.resolve("results"));
        return new PodNetwork(cniDir, instanceId, chosen, ipv6, plugins, NetworkList.parse(conflist));
    }

    public static String bridgeName(String instanceId) {
        return "jvbr" + instanceId;
    }

    public static String networkName(String instanceId) {
        return "jvirt-" + instanceId;
    }

    public Ipv4 subnet() {
        return subnet;
    }

    /** The IPv6 /64 of a dual-stack network ({@code fd10:128:<id>::/64}), empty when it is IPv4 only. */
    public java.util.Optional<String> ipv6() {
        return java.util.Optional.ofNullable(ipv6Subnet);
    }

    /**
     * The ULA /64 of instance {@code instanceId} ({@code fd10:128:<first 4 hex digits>:<last 4>::/64}, one per agent
     * instance as its IPv4 /24 is): apart from KubeVirt's masquerade range fd10:0:2::/120, which lives inside each pod.
     */
    public static String ipv6Subnet(String instanceId) {
        int high = Integer.parseInt(instanceId.substring(0, 4), 16);
        int low = Integer.parseInt(instanceId.substring(4, 8), 16);
        // RFC 5952's text (as ip and the plugins print it): the longest run of zero groups is the trailing one
        String groups = low != 0 ? Integer.toHexString(high) + ":" + Integer.toHexString(low) : high != 0 ? Integer.toHexString(high) : "";
        return "fd10:128:" + (groups.isEmpty() ? ":" : groups + "::") + "/64";
    }

    /** The host's IPv6 address on the bridge of a dual-stack network (::1 of its /64): the pods' IPv6 gateway. */
    public java.util.Optional<String> ipv6Gateway() {
        return ipv6().map(PodNetwork::ipv6GatewayOf);
    }

    private static String ipv6GatewayOf(String subnet) {
        return subnet.substring(0, subnet.indexOf('/')) + "1";
    }

    public String bridge() {
        return bridgeName(instanceId);
    }

    /** The host's address on the bridge: the pods' gateway. */
    public String gateway() {
        return Ipv4.text(subnet.host(1));
    }

    public Path conflist() {
        return dir.resolve(networkName(instanceId) + ".conflist");
    }

    /**
     * ADD: {@code eth0} in {@code netns} with an address of the subnet and a default route via the gateway, host
     * ports forwarded per {@code ports}. The result is kept for DEL and CHECK. A failed ADD is rolled back (DEL)
     * before the error is thrown.
     */
    public CniResult add(String containerId, NetworkNamespace netns, List<PortMapping> ports) throws IOException {
        CniPlugin.Target target = new CniPlugin.Target(containerId, netns.path(), POD_INTERFACE);
        ObjectNode runtime = runtimeConfig(ports);
        CniResult result;
        try {
            result = list.add(plugins, target, runtime);
        } catch (IOException e) {
            try {
                list.delete(plugins, target, null, runtime);
            } catch (IOException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        ObjectNode stored = JSON.createObjectNode();
        stored.set("result", result.json());
        stored.set("runtimeConfig", runtime);
        stored.put("netns", netns.name());
        writeAtomically(resultFile(containerId), stored);
        return result;
    }

    /**
     * ADD of a secondary network (a multus NetworkAttachmentDefinition's {@code spec.config}: a CNI network list, or
     * one network configuration, run as a list of one) for interface {@code ifname} ({@code net1}, {@code net2}, …) in
     * {@code netns}. The configuration is kept (under {@code secondary/<container id>/<ifname>.json}, before the ADD
     * runs) so {@link #delete} and {@link #sweep} can DEL it even after the definition is gone. Plugin {@code type}s are
     * file names in the plugin directories ({@link CniPlugin}), never paths: one that names none is refused before
     * anything is kept or run. A failed ADD is rolled back (DEL).
     */
    public CniResult addSecondary(String containerId, NetworkNamespace netns, String ifname, JsonNode config) throws IOException {
        if (!ifname.matches("net[1-9][0-9]{0,2}")) {
            throw new IllegalArgumentException("a secondary interface is net<n>: " + ifname);
        }
        return addAttachment(containerId, netns, ifname, config);
    }

    /**
     * ADD of the network that replaces this pod network for one pod (a multus default NetworkAttachmentDefinition's
     * {@code spec.config}): the pod's {@code eth0} comes from it, and this network's own plugins are not run for the
     * pod. Kept, deleted and swept as a secondary network is ({@link #addSecondary}); {@link #result} answers with its
     * result. A failed ADD is rolled back (DEL).
     */
    public CniResult addDefault(String containerId, NetworkNamespace netns, JsonNode config) throws IOException {
        return addAttachment(containerId, netns, POD_INTERFACE, config);
    }

    private CniResult addAttachment(String containerId, NetworkNamespace netns, String ifname, JsonNode config) throws IOException {
        NetworkList secondary = NetworkList.parse(config.has("plugins") ? config : asList(config));
        for (String type : secondary.types()) {
            plugins.require(type); // before anything is kept: a configuration naming no plugin could never be deleted
        }
        CniPlugin.Target target = new CniPlugin.Target(containerId, netns.path(), ifname);
        Path file = secondaryDir(containerId).resolve(ifname + ".json");
        Files.createDirectories(file.getParent());
        ObjectNode stored = JSON.createObjectNode();
        stored.set("config", config);
        stored.put("netns", netns.name());
        writeAtomically(file, stored);
        CniResult result;
        try {
            result = secondary.add(plugins, target, JSON.createObjectNode());
        } catch (IOException e) {
            try {
                secondary.delete(plugins, target, null, JSON.createObjectNode());
                Files.deleteIfExists(file);
            } catch (IOException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        stored.set("result", result.json());
        writeAtomically(file, stored);
        return result;
    }

    /** A single network configuration as a network list of one plugin (the CNI spec's conversion). */
    private static ObjectNode asList(JsonNode config) {
        if (!(config instanceof ObjectNode conf)) {
            throw new IllegalArgumentException("a CNI configuration must be a JSON object: " + config);
        }
        ObjectNode list = JSON.createObjectNode().put("cniVersion", conf.path("cniVersion").asText("")).put("name", conf.path("name").asText(""));
        ObjectNode plugin = conf.deepCopy();
        plugin.remove(List.of("cniVersion", "name"));
        list.putArray("plugins").add(plugin);
        return list;
    }

    /**
     * DEL of every secondary network of {@code containerId}, in reverse ({@code net<n>} down to a replaced {@code eth0});
     * {@code netns} may be gone; the first failure is thrown.
     */
    private void deleteSecondaries(String containerId, NetworkNamespace netns) throws IOException {
        Path secondaries = secondaryDir(containerId);
        if (!Files.isDirectory(secondaries)) {
            return;
        }
        Path nsPath = netns != null && netns.exists() ? netns.path() : null;
        IOException first = null;
        List<Path> files;
        try (Stream<Path> list = Files.list(secondaries)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList().reversed();
        }
        for (Path f : files) {
            String ifname = f.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                JsonNode stored = JSON.readTree(f.toFile());
                JsonNode config = stored.path("config");
                CniResult added = stored.has("result") ? CniResult.parse("stored result", stored.path("result")) : null;
                NetworkList.parse(config.has("plugins") ? config : asList(config))
                        .delete(plugins, new CniPlugin.Target(containerId, nsPath, ifname), added, JSON.createObjectNode());
                Files.delete(f);
            } catch (IOException | RuntimeException e) {
                IOException failure = e instanceof IOException io ? io : new IOException(e);
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        Files.deleteIfExists(secondaries);
    }

    /** The kept ADD result of secondary interface {@code ifname} (or a replaced {@code eth0}) of {@code containerId}, empty when it has none. */
    public java.util.Optional<CniResult> secondaryResult(String containerId, String ifname) throws IOException {
        Path file = secondaryDir(containerId).resolve(ifname + ".json");
        JsonNode stored = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
        return stored == null || !stored.has("result") ? java.util.Optional.empty()
                : java.util.Optional.of(CniResult.parse("stored result", stored.path("result")));
    }

    private Path secondaryDir(String containerId) {
        new CniPlugin.Target(containerId, null, POD_INTERFACE); // validates the id: it names a directory
        return dir.resolve("secondary").resolve(containerId);
    }

    private static void writeAtomically(Path file, JsonNode json) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, json.toString());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** CHECK against the kept ADD result: throws when the pod's network is not as ADD left it. */
    public void check(String containerId, NetworkNamespace netns) throws IOException {
        JsonNode stored = JSON.readTree(resultFile(containerId).toFile());
        list.check(plugins, new CniPlugin.Target(containerId, netns.path(), POD_INTERFACE),
                CniResult.parse("stored result", stored.path("result")), (ObjectNode) stored.path("runtimeConfig"));
    }

    /**
     * DEL: the pod's secondary networks ({@link #addSecondary}, in reverse), then its interface, its address lease and
     * its port forwards go; {@code netns} may be gone already (the leases and rules are removed all the same).
     * Idempotent; the pod network's DEL runs even when a secondary's failed (whose error is thrown then).
     */
    public void delete(String containerId, NetworkNamespace netns) throws IOException {
        IOException secondary = null;
        try {
            deleteSecondaries(containerId, netns);
        } catch (IOException e) {
            secondary = e;
        }
        Path file = resultFile(containerId);
        CniResult added = null;
        ObjectNode runtime = null;
        if (Files.exists(file)) {
            JsonNode stored = JSON.readTree(file.toFile());
            added = CniResult.parse("stored result", stored.path("result"));
            runtime = stored.path("runtimeConfig") instanceof ObjectNode o ? o : null;
        }
        Path nsPath = netns != null && netns.exists() ? netns.path() : null;
        list.delete(plugins, new CniPlugin.Target(containerId, nsPath, POD_INTERFACE), added, runtime);
        Files.deleteIfExists(file);
        if (secondary != null) {
            throw secondary;
        }
    }

    /**
     * Removes this network's leftovers of containers not in {@code live}: for every container named by a kept
     * result, an address lease in host-local's data directory or a portmap rule of this network, DEL (with its
     * netns when {@code netnsOf} names one that still exists). Returns the container ids swept. Best effort: a
     * failure is logged and the sweep goes on. Never touches another instance's network.
     */
    public List<String> sweep(Set<String> live, java.util.function.Function<String, NetworkNamespace> netnsOf) {
        return sweep(live::contains, netnsOf);
    }

    /**
     * As {@link #sweep(Set, java.util.function.Function)}, asking {@code live} of each container only after every
     * leftover was listed, so a pod whose ADD began meanwhile (the caller knows it as live by then) is kept.
     */
    public List<String> sweep(java.util.function.Predicate<String> live, java.util.function.Function<String, NetworkNamespace> netnsOf) {
        Set<String> seen = new TreeSet<>();
        try {
            seen.addAll(resultIds());
            seen.addAll(leaseOwners());
            seen.addAll(portmapOwners());
            seen.addAll(secondaryOwners());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "listing the pod network's leftovers failed", e);
        }
        List<String> swept = new ArrayList<>();
        for (String id : seen) {
            if (live.test(id)) {
                continue;
            }
            try {
                delete(id, netnsOf.apply(id));
                swept.add(id);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "sweeping the pod network of " + id + " failed", e);
            }
        }
        return swept;
    }

    /** Container ids holding an address lease (host-local: a file per address whose first line is the id). */
    public Set<String> leaseOwners() throws IOException {
        Path leases = dir.resolve("ipam").resolve(networkName(instanceId));
        Set<String> owners = new TreeSet<>();
        if (!Files.isDirectory(leases)) {
            return owners;
        }
        try (Stream<Path> files = Files.list(leases)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("last_reserved_ip") || name.equals("lock")) {
                    continue;
                }
                String content = Files.readString(f).strip();
                if (!content.isEmpty()) {
                    owners.add(content.lines().findFirst().orElseThrow().strip());
                }
            }
        }
        return owners;
    }

    /**
     * Container ids with a portmap rule of this network in the host's {@code nat} tables, IPv4 and IPv6 (portmap writes
     * them through iptables-nft and ip6tables-nft with a comment naming network and container; {@code nft} does not print
     * such comments).
     */
    public Set<String> portmapOwners() throws IOException {
        Set<String> owners = new TreeSet<>();
        String rules = Commands.run(List.of("iptables-save", "-t", "nat")) + Commands.run(List.of("ip6tables-save", "-t", "nat"));
        Matcher m = PORTMAP_ID.matcher(rules);
        while (m.find()) {
            if (m.group(1).equals(networkName(instanceId))) {
                owners.add(m.group(2));
            }
        }
        return owners;
    }

    /** Container ids with a kept secondary network ({@link #addSecondary}). */
    private Set<String> secondaryOwners() throws IOException {
        Set<String> ids = new TreeSet<>();
        Path secondaries = dir.resolve("secondary");
        if (Files.isDirectory(secondaries)) {
            try (Stream<Path> dirs = Files.list(secondaries)) {
                dirs.map(d -> d.getFileName().toString()).forEach(ids::add);
            }
        }
        return ids;
    }

    private Set<String> resultIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir.resolve("results"))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .forEach(n -> ids.add(n.substring(0, n.length() - ".json".length())));
        }
        return ids;
    }

    /**
     * The kept ADD result of {@code containerId}'s {@code eth0} (its pod's addresses): this network's, or the one that
     * replaced it ({@link #addDefault}); empty when it has none.
     */
    public java.util.Optional<CniResult> result(String containerId) throws IOException {
        Path file = resultFile(containerId);
        if (!Files.isRegularFile(file)) {
            return secondaryResult(containerId, POD_INTERFACE);
        }
        return java.util.Optional.of(CniResult.parse("stored result", JSON.readTree(file.toFile()).path("result")));
    }

    /**
     * Removes the host bridge when no pod's interface is on it any more (an agent stopping with no pod left running);
     * returns whether it is gone. A bridge with ports stays for the pods, whose next agent finds it again.
     */
    public boolean removeBridgeWhenUnused() throws IOException {
        if (!Files.exists(Path.of("/sys/class/net", bridge()))) {
            return true;
        }
        if (JSON.readTree(Commands.run(List.of("ip", "-j", "link", "show", "master", bridge()))).size() > 0) {
            return false;
        }
        removeBridge();
        return true;
    }

    /** Removes the host bridge (when no pod uses it any more: tests, an uninstall). */
    public void removeBridge() throws IOException {
        if (Files.exists(Path.of("/sys/class/net", bridge()))) {
            Commands.run(List.of("ip", "link", "del", bridge()));
        }
    }

    private Path resultFile(String containerId) {
        new CniPlugin.Target(containerId, null, POD_INTERFACE); // validates the id: it names a file
        return dir.resolve("results").resolve(containerId + ".json");
    }

    private static ObjectNode runtimeConfig(List<PortMapping> ports) {
        ObjectNode runtime = JSON.createObjectNode();
        if (!ports.isEmpty()) {
            ArrayNode mappings = runtime.putArray("portMappings");
            for (PortMapping p : ports) {
                mappings.addObject().put("hostPort", p.hostPort()).put("containerPort", p.containerPort()).put("protocol", p.protocol());
            }
        }
        return runtime;
    }

    static ObjectNode conflist(String name, String bridge, Ipv4 subnet, String ipv6Subnet, Path ipamDir) {
        ObjectNode list = JSON.createObjectNode().put("cniVersion", "1.0.0").put("name", name);
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode br = plugins.addObject().put("type", "bridge").put("bridge", bridge)
                .put("isGateway", false).put("ipMasq", false).put("hairpinMode", false);
        ObjectNode ipam = br.putObject("ipam").put("type", "host-local").put("dataDir", ipamDir.toString());
        ArrayNode ranges = ipam.putArray("ranges");
        ArrayNode routes = ipam.putArray("routes");
        ranges.addArray().addObject().put("subnet", subnet.toString()).put("gateway", Ipv4.text(subnet.host(1)));
        routes.addObject().put("dst", "0.0.0.0/0");
        if (ipv6Subnet != null) {
            ranges.addArray().addObject().put("subnet", ipv6Subnet).put("gateway", ipv6GatewayOf(ipv6Subnet));
            routes.addObject().put("dst", "::/0");
        }
        ObjectNode portmap = plugins.addObject().put("type", "portmap").put("snat", true);
        portmap.putObject("capabilities").put("portMappings", true);
        return list;
    }

    /** The first /24 in 10.128.0.0/9, from the one the instance id picks on, that no host route overlaps. */
    static Ipv4 freeSubnet(String instanceId, List<Ipv4> routes) {
        int start = (int) (Long.parseLong(instanceId, 16) % 32768);
        for (int i = 0; i < 32768; i++) {
            int n = (start + i) % 32768;
            Ipv4 candidate = new Ipv4(Ipv4.address("10.128.0.0") + (n << 8), 24);
            if (routes.stream().noneMatch(candidate::overlaps)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free /24 in 10.128.0.0/9");
    }

    /** The host's IPv4 routes with a prefix (the default route is not a subnet of its own). */
    static List<Ipv4> routes() throws IOException {
        List<Ipv4> routes = new ArrayList<>();
        for (JsonNode r : JSON.readTree(Commands.run(List.of("ip", "-j", "-4", "route", "show", "table", "all")))) {
            String dst = r.path("dst").asText("");
            if (dst.matches("[0-9.]+/\\d+")) {
                int slash = dst.indexOf('/');
                int prefix = Integer.parseInt(dst.substring(slash + 1));
                int network = Ipv4.address(dst.substring(0, slash)) & Ipv4.mask(prefix);
                if (prefix >= 8 && prefix <= 30) {
                    routes.add(new Ipv4(network, prefix));
                }
            }
        }
        return routes;
    }

    private static Ipv4 existingSubnet(String bridge) throws IOException {
        if (!Files.exists(Path.of("/sys/class/net", bridge))) {
            return null;
        }
        for (JsonNode link : JSON.readTree(Commands.run(List.of("ip", "-j", "-4", "addr", "show", "dev", bridge)))) {
            for (JsonNode a : link.path("addr_info")) {
                int prefix = a.path("prefixlen").asInt();
                int gw = Ipv4.address(a.path("local").asText());
                return new Ipv4(gw & Ipv4.mask(prefix), prefix);
            }
        }
        return null;
    }

    private static void ensureBridge(String bridge, Ipv4 subnet, String ipv6Subnet) throws IOException {
        if (!Files.exists(Path.of("/sys/class/net", bridge))) {
            // a MAC of its own: else the bridge takes its lowest port's, changing as pods come and go (CHECK compares it)
            String id = bridge.substring("jvbr".length());
            String mac = "02:6a:" + id.substring(0, 2) + ":" + id.substring(2, 4) + ":" + id.substring(4, 6) + ":" + id.substring(6, 8);
            Commands.run(List.of("ip", "link", "add", bridge, "address", mac, "type", "bridge"));
        }
        String gateway = Ipv4.text(subnet.host(1)) + "/" + subnet.prefix();
        String addresses = Commands.run(List.of("ip", "-4", "-o", "addr", "show", "dev", bridge));
        if (!addresses.contains(" " + gateway + " ")) {
            Commands.run(List.of("ip", "addr", "add", gateway, "dev", bridge));
        }
        if (ipv6Subnet != null) {
            String gateway6 = ipv6GatewayOf(ipv6Subnet) + "/64";
            if (!Commands.run(List.of("ip", "-6", "-o", "addr", "show", "dev", bridge)).contains(" " + gateway6 + " ")) {
                // nodad: usable at once (the bridge plugin likewise turns DAD off in the pod)
                Commands.run(List.of("ip", "addr", "add", gateway6, "dev", bridge, "nodad"));
            }
        }
        Commands.run(List.of("ip", "link", "set", bridge, "up"));
    }
}
