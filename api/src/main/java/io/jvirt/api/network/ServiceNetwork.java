package io.jvirt.api.network;

/**
 * The cluster's Service network, one contract for the API server (which allocates cluster IPs and node ports from it)
 * and the node agent's service proxy (which routes them).
 */
public final class ServiceNetwork {
    /** kube-apiserver's default {@code --service-cluster-ip-range}. */
    public static final String CLUSTER_IP_RANGE = "10.96.0.0/12";
    /** kube-apiserver's default {@code --service-node-port-range}. */
    public static final int NODE_PORT_MIN = 30000;
    public static final int NODE_PORT_MAX = 32767;

    private ServiceNetwork() {}
}
