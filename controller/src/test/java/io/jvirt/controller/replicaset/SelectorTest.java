package io.jvirt.controller.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorTest {
    static final LabelSelector SELECTOR = new LabelSelectorBuilder()
            .addToMatchLabels("app", "web")
            .addNewMatchExpression().withKey("tier").withOperator("In").withValues("a", "b").endMatchExpression()
            .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
            .build();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            app=web,tier=a          | true
            app=web,tier=b,x=y      | true
            app=web,tier=c          | false
            app=web                 | false
            app=db,tier=a           | false
            app=web,tier=a,canary=1 | false
            """)
    void matches(String labels, boolean expected) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String kv : labels.split(",")) m.put(kv.split("=")[0], kv.split("=")[1]);
        assertEquals(expected, Selector.matches(SELECTOR, m));
    }

    @org.junit.jupiter.api.Test
    void formatsForTheScaleSubresourceAndEmptyMatchesNothing() {
        assertEquals("app=web,tier in (a,b),!canary", Selector.format(SELECTOR));
        assertEquals(false, Selector.matches(new LabelSelector(), Map.of("a", "b")));
    }
}
