package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The ssh and scp argv virtctl builds (the system's client with a ProxyCommand of port-forward --stdio), as a table. */
class SshTest {
    private static final String PROXY = "-o|ProxyCommand='/opt/virtctl' '--kubeconfig' '/k' 'port-forward' '--stdio=true' ";

    @ParameterizedTest(name = "virtctl {0}")
    @CsvSource(delimiter = '!', textBlock = """
        ssh root@vmi/x                              ! ssh|P'vmi/x/ns' '22'|root@vmi.x.ns
        ssh -i /key -l alice vm/x/team -c hostname  ! ssh|P'vm/x/team' '22'|-i|/key|alice@vm.x.team|hostname
        ssh -p 2222 --known-hosts /kh vmi/x         ! ssh|P'vmi/x/ns' '2222'|-o|UserKnownHostsFile=/kh|vmi.x.ns
        ssh -t -oStrictHostKeyChecking=no bob@vmi/x ! ssh|P'vmi/x/ns' '22'|-oStrictHostKeyChecking=no|bob@vmi.x.ns
        ssh root@vmi/x.team                         ! ssh|P'vmi/x/team' '22'|root@vmi.x.team
        scp -r f root@vmi/x:/tmp                    ! scp|P'vmi/x/ns' '22'|-r|f|root@vmi.x.ns:/tmp
        scp --preserve vmi/x/team:/etc/hostname .   ! scp|P'vmi/x/team' '22'|-p|vmi.x.team:/etc/hostname|.
        """)
    void buildsTheSystemClientsArgv(String args, String expected) throws Exception {
        System.setProperty("jvirt.virtctl.command", "/opt/virtctl");
        try {
            CommandLine cl = VirtctlMain.commandLine();
            CommandLine.ParseResult parsed = cl.parseArgs(("--kubeconfig /k -n ns " + args).split(" "));
            List<String> argv = switch (parsed.subcommand().commandSpec().userObject()) {
                case Ssh.SshCommand ssh -> ssh.argv();
                case Ssh.ScpCommand scp -> scp.argv();
                default -> throw new AssertionError(args);
            };
            assertEquals(List.of(expected.replace("P", PROXY).split("\\|")), argv);
        } finally {
            System.clearProperty("jvirt.virtctl.command");
        }
    }
}
