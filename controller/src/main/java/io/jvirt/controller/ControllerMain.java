package io.jvirt.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * virt-controller: {@code ControllerMain <kubeconfig> [--no-scheduler | --scheduler-kubeconfig FILE]}. Starts
 * every controller (and the embedded scheduler unless {@code --no-scheduler}, e.g. on a cluster with its own)
 * against the API server of the kubeconfig, and runs until SIGTERM/SIGINT. The scheduler acts under the
 * identity of {@code --scheduler-kubeconfig} when given (under RBAC only the scheduler may bind pods), else
 * under the controllers'. Only wiring lives here.
 */
public final class ControllerMain {
    private ControllerMain() {}

    public static void main(String[] args) throws Exception {
        boolean noScheduler = args.length == 2 && args[1].equals("--no-scheduler");
        boolean ownScheduler = args.length == 3 && args[1].equals("--scheduler-kubeconfig");
        if (args.length < 1 || (args.length > 1 && !noScheduler && !ownScheduler)) {
            System.err.println("usage: ControllerMain <kubeconfig> [--no-scheduler | --scheduler-kubeconfig FILE]");
            System.exit(2);
        }
        Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
        boolean scheduler = !noScheduler;
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        KubernetesClient schedulerClient = ownScheduler
                ? new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(Path.of(args[2])))).build() : client;
        ControlPlane controllers = ControlPlane.start(client, schedulerClient,
                new ControlPlane.Options(scheduler, ControlPlane.Options.EMBEDDED.crashLoop(), ControlPlane.Options.EMBEDDED.workers()), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controllers.close();
            if (schedulerClient != client) {
                schedulerClient.close();
            }
            client.close();
            stopped.countDown();
        }, "controller-shutdown"));
        System.err.println("jvirt-controller: running against " + config.getMasterUrl() + (scheduler ? " with the embedded scheduler" : ""));
        stopped.await();
    }
}
