package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.admission.AdmissionChain;
import io.jvirt.apiserver.admission.CoreDefaults;
import io.jvirt.apiserver.admission.ClusterConfig;
import io.jvirt.apiserver.admission.InstancetypeMatchers;
import io.jvirt.apiserver.admission.InstancetypeRules;
import io.jvirt.apiserver.admission.VmiDefaults;
import io.jvirt.apiserver.admission.LauncherPodRestriction;
import io.jvirt.apiserver.admission.PriorityAdmission;
import io.jvirt.apiserver.admission.SecretStringData;
import io.jvirt.apiserver.admission.ServiceAllocation;
import io.jvirt.apiserver.admission.VmiSpecRules;
import io.jvirt.apiserver.admission.VmiUpdateRules;
import io.jvirt.apiserver.handler.GarbageCollector;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.handler.WriteOptions;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.metrics.ApiMetrics;
import io.jvirt.apiserver.metrics.TimedStore;
import io.jvirt.apiserver.resources.BundledCrds;
import io.jvirt.apiserver.resources.ResourceRegistry;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.security.Kubeconfig;
import io.jvirt.apiserver.security.Pki;
import io.jvirt.apiserver.rbac.ClusterRoleAggregator;
import io.jvirt.apiserver.rbac.EscalationCheck;
import io.jvirt.apiserver.rbac.RbacAuthorizer;
import io.jvirt.apiserver.rbac.RbacBootstrap;
import io.jvirt.apiserver.security.TokenFile;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded Kubernetes-compatible API server: HTTPS (HTTP/1.1 and HTTP/2 by ALPN) on a loopback
 * port, bearer tokens from {@code <dataDir>/tokens.csv}, RBAC over the stored roles and bindings
 * (bootstrapped at each start, see RbacBootstrap), PKI in {@code <dataDir>/pki}, objects in the
 * given store. {@link #start} returns once the server listens, the bundled CRDs are installed and
 * {@code /readyz} answers ok. {@link #close} stops the server (not the store). Thread-safe.
 */
public final class ApiServer implements AutoCloseable {
    /** Where and how to serve. {@code port} 0 picks a free port; watches with allowWatchBookmarks get a BOOKMARK every {@code bookmarkInterval}. */
    public record Config(Path dataDir, String host, int port, java.time.Duration bookmarkInterval) {
        public Config(Path dataDir, String host, int port) {
            this(dataDir, host, port, java.time.Duration.ofSeconds(30));
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final GarbageCollector gc;
    private final TokenFile tokens;
    private final Pki pki;
    private final AdmissionChain admission;
    private final String host;
    private final RbacBootstrap rbac;
    private final ClusterRoleAggregator aggregator;
    private final RbacAuthorizer authorizer;

    private ApiServer(Vertx vertx, HttpServer server, GarbageCollector gc, TokenFile tokens, Pki pki,
                      AdmissionChain admission, String host, RbacBootstrap rbac, ClusterRoleAggregator aggregator,
                      RbacAuthorizer authorizer) {
        this.rbac = rbac;
        this.aggregator = aggregator;
        this.authorizer = authorizer;
        this.vertx = vertx;
        this.server = server;
        this.gc = gc;
        this.tokens = tokens;
        this.pki = pki;
        this.admission = admission;
        this.host = host;
    }

    public static ApiServer start(Config config, ObjectStore untimedStore) throws IOException, InterruptedException {
        ApiMetrics metrics = new ApiMetrics();
        ObjectStore store = new TimedStore(untimedStore, metrics);
        Pki pki = Pki.ensure(config.dataDir().resolve("pki"));
        TokenFile tokens = TokenFile.ensure(config.dataDir().resolve("tokens.csv"));
        ResourceRegistry registry = new ResourceRegistry();
        AdmissionChain admission = new AdmissionChain().addMutating(new CoreDefaults()).addMutating(new SecretStringData())
                .addMutating(new ServiceAllocation(store));
        admission.addMutating(new InstancetypeMatchers(store)).addValidating(new InstancetypeRules(store));
        VmiDefaults.all(ClusterConfig.of(store)).forEach(admission::addMutating);
        VmiSpecRules.all(ClusterConfig.of(store)).forEach(admission::addValidating);
        admission.addValidating(new LauncherPodRestriction());
        admission.addValidating(new VmiUpdateRules());
        PriorityAdmission priority = new PriorityAdmission(store);
        admission.addMutating(priority).addValidating(priority);
        Clock clock = Clock.systemUTC();
        ObjectService service = new ObjectService(store, registry, admission, clock);
        GarbageCollector gc = new GarbageCollector(service);
        bootstrap(service);
        RbacBootstrap rbac = new RbacBootstrap(service);
        rbac.reconcile();
        tokens.migrateRoles(rbac::bindUsers);
        ClusterRoleAggregator aggregator = new ClusterRoleAggregator(service).start();
        RbacAuthorizer authorizer = new RbacAuthorizer(store).start();
        admission.addValidating(new EscalationCheck(authorizer));
        gc.sweep();
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(8).setEventLoopPoolSize(2));
        AtomicBoolean ready = new AtomicBoolean(false);
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host()).setPort(config.port())
                .setSsl(true).setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pki.serverCert().toString()).setKeyPath(pki.serverKey().toString()))
                .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(16 << 20)
                .setWebSocketSubProtocols(List.of("plain.kubevirt.io"))
                .setCompressionSupported(false);
        HttpServer server = vertx.createHttpServer(options)
                .requestHandler(new ApiHandler(vertx, service, tokens,
                        io.jvirt.apiserver.security.ServiceAccountTokens.open(config.dataDir().resolve("pki").resolve("service-account.key"), clock),
                        authorizer, clock, ready::get, config.bookmarkInterval(), metrics));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            vertx.close();
            gc.close();
            aggregator.close();
            authorizer.close();
            throw new IOException("cannot listen on " + config.host() + ":" + config.port(), e);
        }
        ready.set(true);
        return new ApiServer(vertx, server, gc, tokens, pki, admission, config.host(), rbac, aggregator, authorizer);
    }

    /** Registers stored CRDs, installs bundled ones, creates the system PriorityClasses and the default namespaces. Idempotent. */
    private static void bootstrap(ObjectService service) throws IOException {
        ResourceRegistry registry = service.registry();
        ResourceType crdType = registry.find("apiextensions.k8s.io", "v1", "customresourcedefinitions").orElseThrow();
        for (StoredObject o : service.store().list(crdType.keyPrefix(null), ListOptions.ALL).items()) {
            registry.putCrd(ObjectService.parse(o));
        }
        WriteOptions system = WriteOptions.internal("jvirt-apiserver");
        for (ObjectNode crd : BundledCrds.load()) {
            String name = crd.path("metadata").path("name").asText();
            try {
                ObjectNode live = service.get(crdType, null, name);
                if (live.path("spec").equals(crd.path("spec"))) continue;
                ObjectNode patch = Codec.NODES.objectNode();
                patch.set("spec", crd.get("spec"));
                service.patch(crdType, null, name, null, "application/merge-patch+json", Codec.toJson(patch), system);
            } catch (ApiException e) {
                if (e.code() != 404) throw e;
                service.create(crdType, null, crd.deepCopy(), system);
            }
        }
        ResourceType priorityClasses = registry.find("scheduling.k8s.io", "v1", "priorityclasses").orElseThrow();
        for (ObjectNode pc : PriorityAdmission.SYSTEM_CLASSES) {
            try {
                service.create(priorityClasses, null, pc.deepCopy(), system);
            } catch (ApiException e) {
                if (e.code() != 409) throw e;
            }
        }
        ResourceType ns = registry.find("", "v1", "namespaces").orElseThrow();
        for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease", "kubevirt")) {
            try {
                ObjectNode o = Codec.NODES.objectNode();
                o.putObject("metadata").put("name", name);
                service.create(ns, null, o, system);
            } catch (ApiException e) {
                if (e.code() != 409) throw e;
            }
        }
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "https://" + h + ":" + port();
    }

    public TokenFile tokens() {
        return tokens;
    }

    public Pki pki() {
        return pki;
    }

    /** The admission chain, for later components to plug their admitters into. */
    public AdmissionChain admission() {
        return admission;
    }

    /** Waits for queued garbage collection (tests). */
    public void drainGarbageCollector() throws InterruptedException {
        gc.drain(10_000);
    }

    /** Writes a kubeconfig for {@code user}'s first token (admin has one from the start). */
    public void writeKubeconfig(Path file, String user) throws IOException {
        String token = tokens.tokenFor(user).orElseThrow(() -> new IOException("no token for user " + user));
        Kubeconfig.write(file, url(), pki.caPem(), token, user);
    }

    /**
     * Writes a kubeconfig for one of the control plane's components, with a token of its own (created in
     * tokens.csv on first use, kept afterwards), so the server authenticates it as
     * {@link ComponentIdentity#userName()}; its rights are its bootstrap role's. Idempotent.
     */
    public void writeKubeconfig(Path file, ComponentIdentity component) throws IOException {
        String token = tokens.ensure(component.userName(), List.of());
        Kubeconfig.write(file, url(), pki.caPem(), token, component.userName());
    }

    /**
     * Adds a user with a new token, bound to ClusterRole {@code clusterRole}: everywhere (ClusterRoleBinding
     * {@code jvirt:user:<user>}) when {@code namespace} is null, else only there (RoleBinding of that name).
     * Returns the token.
     */
    public String addUser(String user, String clusterRole, String namespace) throws IOException {
        String token = tokens.add(user, List.of());
        if (namespace == null) {
            rbac.bindUser(user, clusterRole);
        } else {
            rbac.bindUser(user, clusterRole, namespace);
        }
        return token;
    }

    /** The authorizer every request passes (tests, benchmarks). */
    public RbacAuthorizer authorizer() {
        return authorizer;
    }

    @Override
    public void close() {
        aggregator.close();
        authorizer.close();
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
        gc.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
    }
}
