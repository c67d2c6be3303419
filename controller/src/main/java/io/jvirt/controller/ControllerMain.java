package io.jvirt.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * virt-controller: {@code ControllerMain <kubeconfig> [--no-scheduler]}. Starts every controller (and
 * the embedded scheduler unless {@code --no-scheduler}, e.g. on a cluster with its own) against the
 * API server of the kubeconfig, and runs until SIGTERM/SIGINT. Only wiring lives here.
 */
public final class ControllerMain {
    private ControllerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || (args.length == 2 && !args[1].equals("--no-scheduler"))) {
            System.err.println("usage: ControllerMain <kubeconfig> [--no-scheduler]");
            System.exit(2);
        }
        Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
        boolean scheduler = args.length == 1;
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        ControlPlane controllers = ControlPlane.start(client,
                new ControlPlane.Options(scheduler, ControlPlane.Options.EMBEDDED.crashLoop(), ControlPlane.Options.EMBEDDED.workers()), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controllers.close();
            client.close();
            stopped.countDown();
        }, "controller-shutdown"));
        System.err.println("jvirt-controller: running against " + config.getMasterUrl() + (scheduler ? " with the embedded scheduler" : ""));
        stopped.await();
    }
}
