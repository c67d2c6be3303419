package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.v1.Versions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code virtctl version}: this client's version and the server's KubeVirt version, in KubeVirt's format. */
@Command(name = "version", description = "Print the client and server version information.")
final class Version implements Callable<Integer>, VirtctlMain.Action {
    @ParentCommand
    VirtctlMain root;

    /** {@code -V}: the client version alone. */
    static final class Provider implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {client()};
        }
    }

    static String client() {
        return "Client Version: version.Info{GitVersion:\"" + Versions.JVIRT + "-jvirt-virtctl\", Compiler:\"java "
                + Runtime.version().feature() + "\", Platform:\"" + System.getProperty("os.name").toLowerCase() + "/"
                + System.getProperty("os.arch").replace("x86_64", "amd64") + "\"}";
    }

    @Override
    public String doing() {
        return "getting the server version";
    }

    @Override
    public Integer call() throws Exception {
        System.out.println(client());
        System.out.flush();
        JsonNode v = root.api().get("/apis/subresources.kubevirt.io/v1/version");
        System.out.println("Server Version: version.Info{GitVersion:\"" + v.path("gitVersion").asText() + "\", GitCommit:\""
                + v.path("gitCommit").asText() + "\", Compiler:\"" + v.path("compiler").asText() + "\", Platform:\""
                + v.path("platform").asText() + "\"}");
        return 0;
    }
}
