package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Every command's argument handling, without a server: usage errors exit 2 with picocli's message,
 * checks of our own exit 1 with "Error ...", and the commands jvirt lacks say which feature is missing.
 * (port-forward, ssh and scp against a real API server and node relay: handler's PortForwardIT.)
 */
class CommandLineTest {
    @ParameterizedTest(name = "virtctl {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        start                                       | 2 | Missing required parameter: 'VM'
        start vm-a --bogus                          | 2 | Unknown option: '--bogus'
        stop vm-a --grace-period 5                  | 1 | --grace-period must be used together with --force
        pause vmx vm-a                              | 1 | unsupported resource type 'vmx': use vm or vmi
        unpause vm                                  | 2 | Missing required parameter: 'NAME'
        expose vm vm-a --port 22                    | 2 | Missing required option: '--name=<serviceName>'
        expose pod vm-a --name s --port 22          | 1 | unsupported resource type 'pod'
        vnc screenshot vm-a                         | 2 | Missing required option: '--file=<file>'
        console                                     | 2 | Missing required parameter: 'VMI'
        migrate vm-a                                | 1 | not supported by jvirt yet: live migration
        port-forward vm/vm-a                        | 2 | Missing required parameter
        port-forward vm-a 22                        | 1 | target must contain type and name separated by '/'
        port-forward vmx/vm-a 22                    | 1 | unsupported resource type 'vmx'
        port-forward vm/vm-a/ 22                    | 1 | namespace cannot be empty
        port-forward vm/vm-a 0                      | 1 | bad port '0'
        port-forward vmi/vm-a 8081:x                | 1 | bad port 'x'
        port-forward vmi/vm-a sctp/22               | 1 | unsupported protocol 'sctp'
        port-forward vmi/vm-a 22 23 --stdio         | 1 | only one port supported when forwarding to stdout
        ssh @vm/vm-a                                | 1 | expected username before '@'
        ssh root@                                   | 1 | expected target after '@'
        ssh root@vm/vm-a --local-ssh=false          | 1 | jvirt's virtctl has no built-in SSH client
        scp f g                                     | 1 | exactly one of source and destination must be remote
        scp vm/a:/x vm/b:/y                         | 1 | exactly one of source and destination must be remote
        image-upload dv d --size 1Gi --image-path x | 1 | cannot read --image-path x
        image-upload vm d --image-path /etc/hostname | 1 | the first argument must be dv or pvc, not 'vm'
        image-upload dv d                           | 2 | Missing required option: '--image-path=<imagePath>'
        addvolume vm-a --volume-name v              | 1 | not supported by jvirt yet: volume hot-plug
        completion fish                             | 2 | unsupported shell fish
        """)
    void argumentsAreCheckedBeforeAnyCall(String args, int exit, String message) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8)); // before the CommandLine exists: it writes to System.err
        int code;
        try {
            code = VirtctlMain.commandLine().execute(args.split(" "));
        } finally {
            System.setErr(saved);
        }
        String said = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(exit, code, said);
        assertTrue(said.contains(message), said);
    }

    @ParameterizedTest
    @CsvSource({"completion bash, complete -F", "--version, Client Version: version.Info{GitVersion:"})
    void localCommandsPrint(String args, String expected) {
        StringWriter out = new StringWriter();
        CommandLine cl = VirtctlMain.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute(args.split(" ")));
        assertTrue(out.toString().contains(expected), out.toString());
    }
}
