package io.jvirt.handler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvirt.network.service.VirtualService;
import io.jvirt.network.service.VirtualService.Backend;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServicePlanTest {
    private static Service service(String json) {
        return Serialization.unmarshal(json.replace('\'', '"'), Service.class);
    }

    private static EndpointSlice slice(String json) {
        return Serialization.unmarshal(json.replace('\'', '"'), EndpointSlice.class);
    }

    private static final String WEB = "{'metadata':{'name':'web','namespace':'default'},'spec':{'type':'NodePort','clusterIP':'10.96.0.5',"
            + "'ports':[{'port':8080,'targetPort':80,'nodePort':30080}]}}";
    private static final String SLICE = "{'metadata':{'name':'web-1','namespace':'default','labels':{'kubernetes.io/service-name':'web'}},"
            + "'addressType':'IPv4','ports':[{'port':80,'protocol':'TCP'}],'endpoints':[{'addresses':['10.128.0.6'],'conditions':{'ready':true}},"
            + "{'addresses':['10.128.0.5']},{'addresses':['10.128.0.9'],'conditions':{'ready':false}}]}";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ready and unset-ready endpoints, sorted; not-ready left out", List.of(service(WEB)), List.of(slice(SLICE)),
                        List.of(new VirtualService("default/web", "tcp", "10.96.0.5", 8080, 30080,
                                List.of(new Backend("10.128.0.5", 80), new Backend("10.128.0.6", 80))))),
                Arguments.of("a slice of another service or namespace is not read", List.of(service(WEB)),
                        List.of(slice(SLICE.replace("service-name':'web'", "service-name':'other'")), slice(SLICE.replace("'namespace':'default'", "'namespace':'b'"))),
                        List.of(new VirtualService("default/web", "tcp", "10.96.0.5", 8080, 30080, List.of()))),
                Arguments.of("named ports match by name and protocol",
                        List.of(service("{'metadata':{'name':'dns','namespace':'default'},'spec':{'clusterIP':'10.96.0.10','ports':[{'name':'dns','port':53,'protocol':'UDP'},{'name':'dns-tcp','port':53}]}}")),
                        List.of(slice("{'metadata':{'name':'dns-1','namespace':'default','labels':{'kubernetes.io/service-name':'dns'}},'addressType':'IPv4',"
                                + "'ports':[{'name':'dns','port':5353,'protocol':'UDP'},{'name':'dns-tcp','port':5354,'protocol':'TCP'}],'endpoints':[{'addresses':['10.128.0.7']}]}")),
                        List.of(new VirtualService("default/dns:dns", "udp", "10.96.0.10", 53, 0, List.of(new Backend("10.128.0.7", 5353))),
                                new VirtualService("default/dns:dns-tcp", "tcp", "10.96.0.10", 53, 0, List.of(new Backend("10.128.0.7", 5354))))),
                Arguments.of("headless, ExternalName, SCTP and an address that is not one are left out",
                        List.of(service("{'metadata':{'name':'h','namespace':'default'},'spec':{'clusterIP':'None','ports':[{'port':80}]}}"),
                                service("{'metadata':{'name':'e','namespace':'default'},'spec':{'type':'ExternalName','externalName':'x.example'}}"),
                                service("{'metadata':{'name':'s','namespace':'default'},'spec':{'clusterIP':'10.96.0.8','ports':[{'port':80,'protocol':'SCTP'}]}}"),
                                service("{'metadata':{'name':'bad','namespace':'default'},'spec':{'clusterIP':'10.96.0.999','ports':[{'port':80}]}}")),
                        List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void servesTheReadyEndpointsOfEachPort(String what, List<Service> services, List<EndpointSlice> slices, List<VirtualService> expected) {
        assertEquals(expected, ServicePlan.of(services, slices));
    }
}
