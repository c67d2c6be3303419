package io.jvirt.handler.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RelayRequestTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "t ns vm pause                    | pause | ''",
            "t ns pod log uid-1 1 5           | log   | uid-1,1,5",
            "t ns pod log uid-1 0 -1          | log   | uid-1,0,-1",
            "t ns pod log uid-1 2 5           | none  | ''",
            "t ns pod log uid-1 1 -2          | none  | ''",
            "t ns pod log uid-1 1 x           | none  | ''",
            "t ns pod log uid-1 1             | none  | ''",
            "t ns pod log                     | none  | ''",
            "t ns vm pause extra              | none  | ''",
            "t ns vm logs                     | none  | ''",
            "t - node-1 metrics               | metrics | ''",
            "t - node-1 metrics extra         | none  | ''",
            "t ns pod log ../../etc/passwd 0 -1 | log | ../../etc/passwd,0,-1",
            "t ns vm portforward 22 tcp       | portforward | 22,tcp",
            "t ns vm portforward 65535 tcp    | portforward | 65535,tcp",
            "t ns vm portforward 0 tcp        | none  | ''",
            "t ns vm portforward 65536 tcp    | none  | ''",
            "t ns vm portforward 22 udp       | none  | ''",
            "t ns vm portforward 22           | none  | ''",
            "t ns vm portforward x tcp        | none  | ''",
    })
    void parsesOrRefuses(String line, String action, String args) {
        Optional<RelayRequest> r = RelayRequest.parse(line);
        assertEquals(Optional.ofNullable(action), r.map(RelayRequest::action));
        r.ifPresent(x -> assertEquals(args.isEmpty() ? List.of() : List.of(args.split(",")), x.args()));
    }
}
