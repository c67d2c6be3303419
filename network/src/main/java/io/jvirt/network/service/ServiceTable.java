package io.jvirt.network.service;

import io.jvirt.network.Commands;
import io.jvirt.network.Ipv4;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The service proxy's one nftables table in the host's namespace ({@link ServiceRules}), owned by one agent instance:
 * {@link #apply} replaces it atomically, {@link #remove} deletes it (at start, a sweep of what a killed agent left;
 * at stop). No rule is ever written outside this table. Calls are the caller's to serialize.
 */
public final class ServiceTable {
    private final String table;
    private final String bridge;
    private final Ipv4 serviceCidr;

    /**
     * @param instanceId the agent's instance id (8 hex digits): the table is {@code ip jvirt-svc-<id>}
     * @param bridge the pod network's host bridge (the backends are behind it)
     * @param serviceCidr the cluster IPs' range
     */
    public ServiceTable(String instanceId, String bridge, Ipv4 serviceCidr) {
        this.table = ServiceRules.tableName(instanceId);
        this.bridge = bridge;
        this.serviceCidr = serviceCidr;
    }

    public String name() {
        return table;
    }

    /**
     * Replaces the table with the rules of {@code services} in one nft transaction, and turns on
     * {@code route_localnet} on the bridge when it exists (connections from 127.0.0.1 to a node port leave through it).
     */
    public void apply(List<VirtualService> services) throws IOException {
        Path localnet = Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
        if (Files.exists(localnet) && !Files.readString(localnet).strip().equals("1")) {
            Files.writeString(localnet, "1");
        }
        Commands.run(List.of("nft", "-f", "-"), ServiceRules.ruleset(table, bridge, serviceCidr, services));
    }

    /** Deletes the table; nothing when it does not exist. Idempotent. */
    public void remove() throws IOException {
        if (exists()) {
            Commands.run(List.of("nft", "delete", "table", "ip", table));
        }
    }

    public boolean exists() throws IOException {
        return Commands.run(List.of("nft", "list", "tables", "ip")).lines().anyMatch(l -> l.strip().equals("table ip " + table));
    }

    /** {@code nft list table} of this table (for people and tests). */
    public String list() throws IOException {
        return Commands.run(List.of("nft", "list", "table", "ip", table));
    }
}
