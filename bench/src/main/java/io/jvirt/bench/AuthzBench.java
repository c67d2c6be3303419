package io.jvirt.bench;

import io.jvirt.apiserver.rbac.RbacAuthorizer;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.security.User;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The cost of authorization per request: the same requests to one embedded API server (in this JVM,
 * HTTPS, VirtualMachine CRs) by the admin token, which kube-apiserver's {@code system:masters} shortcut
 * lets through without a look at the policy, and by a user bound to {@code edit} with a RoleBinding in
 * the benchmark's namespaces, whose every request the RBAC engine evaluates. The policy holds the bootstrap
 * roles plus {@value #OTHER_BINDINGS} RoleBindings and {@value #OTHER_CLUSTER_BINDINGS} ClusterRoleBindings of
 * other users, so the engine has bindings to skip. Phases run in slices taken in turn by the two users.
 * Also the engine alone: one {@code authorize} call, in microseconds.
 */
final class AuthzBench implements Benchmark {
    static final int N = 1_000;
    static final int CONCURRENCY = 16;
    static final int SLICES = 5;
    static final int OTHER_BINDINGS = 200;
    static final int OTHER_CLUSTER_BINDINGS = 50;
    static final int CALLS = 200_000;

    @Override
    public String name() {
        return "authz";
    }

    @Override
    public String description() {
        return "RBAC evaluation per request: the same API requests by the admin token (system:masters shortcut, baseline) and by an"
                + " edit user bound per namespace (every request evaluated), on one in-process jvirt API server; latencies in ms,"
                + " throughput in ops/s; 'authorize call' is the engine alone in microseconds";
    }

    @Override
    public List<Figure> run() throws Exception {
        try (JvirtTarget server = JvirtTarget.start(); JvirtTarget admin = server.over(java.net.http.HttpClient.Version.HTTP_1_1, "admin token");
             JvirtTarget editor = server.as("bench-editor", "edit user")) {
            for (String ns : List.of("warm", "seq", "conc-admin", "conc-edit")) {
                admin.prepare(ns);
                admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/rolebindings", binding("RoleBinding", ns, "bench-editor", "edit"));
            }
            for (int i = 0; i < OTHER_BINDINGS; i++) {
                String ns = i % 2 == 0 ? "seq" : "warm";
                admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/rolebindings", binding("RoleBinding", ns, "other-" + i, "view"));
            }
            for (int i = 0; i < OTHER_CLUSTER_BINDINGS; i++) {
                admin.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding("ClusterRoleBinding", null, "cluster-other-" + i, "view"));
            }
            List<KvTarget> both = List.of(admin, editor);
            for (KvTarget t : both) {
                Load.run(t, 0, 300, CONCURRENCY, i -> t.get("warm", i), reply -> { });
            }
            Load.run(admin, 0, N, CONCURRENCY, i -> admin.create("seq", i), reply -> admin.check(KvTarget.Op.CREATE, reply));

            List<Figure> figures = new ArrayList<>();
            compare(figures, both, "get seq", N, (t, from, to) -> load(t, 1, KvTarget.Op.GET, from, to, i -> t.get("seq", i)));
            compare(figures, both, "get x" + CONCURRENCY, 2 * N, (t, from, to) -> load(t, CONCURRENCY, KvTarget.Op.GET, from, to, i -> t.get("seq", i % N)));
            compare(figures, both, "create x" + CONCURRENCY, N, (t, from, to) ->
                    load(t, CONCURRENCY, KvTarget.Op.CREATE, from, to, i -> t.create(t == admin ? "conc-admin" : "conc-edit", i)));
            compare(figures, both, "list " + N, 10, (t, from, to) -> load(t, 1, KvTarget.Op.LIST, from, to, i -> t.list("seq")));
            engineAlone(figures, admin.server().authorizer());
            return figures;
        }
    }

    private static String binding(String kind, String ns, String user, String role) {
        String meta = ns == null ? "{\"name\":\"bench:" + user + "\"}" : "{\"name\":\"bench:" + user + "\",\"namespace\":\"" + ns + "\"}";
        return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"" + kind + "\",\"metadata\":" + meta + ","
                + "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"" + role + "\"},"
                + "\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"" + user + "\"}]}";
    }

    /** One authorize call on the warm policy: the admin's shortcut beside the edit user's evaluation (batches of 1000). */
    private static void engineAlone(List<Figure> figures, RbacAuthorizer authorizer) {
        User admin = User.of("admin", "admin", List.of(User.MASTERS));
        User editor = User.of("bench-editor", "bench-editor", List.of());
        String base = null;
        for (User u : List.of(admin, editor)) {
            RequestAttributes a = RequestAttributes.resource(u, "get", "kubevirt.io", "virtualmachines", "", "seq", "vm-1");
            List<Double> perCallUs = new ArrayList<>();
            for (int batch = 0; batch < CALLS / 1000; batch++) {
                long start = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    if (!authorizer.authorize(a)) throw new IllegalStateException(u.name() + " was denied");
                }
                perCallUs.add((System.nanoTime() - start) / 1000.0 / 1000.0);
            }
            String label = (u == admin ? "admin" : "edit user") + " authorize call";
            Figure f = Figure.of(label, "us", perCallUs);
            figures.add(base == null ? f : f.against(base));
            if (base == null) base = f.name();
        }
    }

    private static Load load(KvTarget t, int concurrency, KvTarget.Op op, int from, int to, IntFunction<HttpRequest> request)
            throws IOException, InterruptedException {
        return Load.run(t, from, to, concurrency, request, reply -> t.check(op, reply));
    }

    @FunctionalInterface
    private interface Phase {
        Load run(KvTarget target, int from, int to) throws IOException, InterruptedException;
    }

    /** {@code count} requests of {@code phase} per user in {@value #SLICES} slices taken in turn; the admin's figures are the baseline. */
    private static void compare(List<Figure> figures, List<KvTarget> targets, String what, int count, Phase phase)
            throws IOException, InterruptedException {
        Load[] loads = new Load[targets.size()];
        Arrays.fill(loads, Load.NONE);
        int slices = Math.min(SLICES, count);
        for (int slice = 0; slice < slices; slice++) {
            int from = count * slice / slices;
            int to = count * (slice + 1) / slices;
            for (int t = 0; t < targets.size(); t++) loads[t] = loads[t].plus(phase.run(targets.get(t), from, to));
        }
        String baseLatency = null;
        String baseThroughput = null;
        for (int t = 0; t < targets.size(); t++) {
            String label = targets.get(t).label();
            Figure latency = Figure.of(label + " " + what, "ms", loads[t].latenciesMs());
            Figure throughput = Figure.of(label + " " + what + " throughput", "ops/s", List.of(loads[t].opsPerSecond()));
            figures.add(baseLatency == null ? latency : latency.against(baseLatency));
            figures.add(baseThroughput == null ? throughput : throughput.against(baseThroughput));
            if (baseLatency == null) {
                baseLatency = latency.name();
                baseThroughput = throughput.name();
            }
        }
    }
}
