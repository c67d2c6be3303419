package io.jvirt.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A CNI success result (spec 1.0.0): the interfaces the plugins made, the addresses on them, routes and DNS.
 * The plugins' JSON is kept as given ({@link #json}), since a chain's next plugin and DEL/CHECK get it as
 * {@code prevResult}. Immutable.
 *
 * @see <a href="https://www.cni.dev/docs/spec/#success">CNI spec, Success</a>
 */
public record CniResult(ObjectNode json, List<Iface> interfaces, List<IpConfig> ips, List<String> nameservers) {
    /** An interface the plugins made; {@code sandbox} is the netns path for one inside the container. */
    public record Iface(String name, String mac, String sandbox) {}

    /**
     * An address ({@code address} in CIDR form) with its gateway, on {@code interfaces[iface]} when that index
     * is given (-1 when not).
     */
    public record IpConfig(String address, String gateway, int iface) {
        public String ip() {
            return address.substring(0, address.indexOf('/'));
        }

        public int prefixLength() {
            return Integer.parseInt(address.substring(address.indexOf('/') + 1));
        }

        public boolean ipv4() {
            return ip().indexOf(':') < 0;
        }
    }

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        nameservers = List.copyOf(nameservers);
    }

    /** Reads a result; fails with {@link CniException} when it has no {@code cniVersion} or malformed {@code ips}. */
    public static CniResult parse(String plugin, JsonNode json) throws CniException {
        if (!(json instanceof ObjectNode object) || !json.path("cniVersion").isTextual()) {
            throw new CniException(plugin, CniException.NOT_A_PLUGIN_ERROR, "not a CNI result", String.valueOf(json));
        }
        List<Iface> interfaces = new ArrayList<>();
        for (JsonNode i : json.path("interfaces")) {
            interfaces.add(new Iface(i.path("name").asText(), i.path("mac").asText(""), i.path("sandbox").asText("")));
        }
        List<IpConfig> ips = new ArrayList<>();
        for (JsonNode ip : json.path("ips")) {
            String address = ip.path("address").asText("");
            if (!address.matches("[0-9a-fA-F.:]+/\\d{1,3}")) {
                throw new CniException(plugin, CniException.NOT_A_PLUGIN_ERROR, "ips[].address is not an address in CIDR form", address);
            }
            ips.add(new IpConfig(address, ip.path("gateway").asText(""), ip.path("interface").asInt(-1)));
        }
        List<String> nameservers = new ArrayList<>();
        for (JsonNode ns : json.path("dns").path("nameservers")) {
            nameservers.add(ns.asText());
        }
        return new CniResult(object, interfaces, ips, nameservers);
    }

    /** The first IPv4 address on an interface inside the sandbox named {@code ifname}. */
    public Optional<IpConfig> ipv4On(String ifname) {
        return addressOn(ifname, true);
    }

    /** The first IPv6 address on an interface inside the sandbox named {@code ifname} (a dual-stack network's). */
    public Optional<IpConfig> ipv6On(String ifname) {
        return addressOn(ifname, false);
    }

    private Optional<IpConfig> addressOn(String ifname, boolean ipv4) {
        for (IpConfig ip : ips) {
            if (ip.ipv4() == ipv4 && ip.iface() >= 0 && ip.iface() < interfaces.size()
                    && interfaces.get(ip.iface()).name().equals(ifname) && !interfaces.get(ip.iface()).sandbox().isEmpty()) {
                return Optional.of(ip);
            }
        }
        return Optional.empty();
    }
}
