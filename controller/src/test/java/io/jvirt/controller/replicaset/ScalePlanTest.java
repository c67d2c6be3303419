package io.jvirt.controller.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScalePlanTest {
    /** "name:phase:ready:deleting:created" separated by spaces. */
    private static List<ScalePlan.Member> members(String s) {
        if (s == null) return List.of();
        return Arrays.stream(s.split(" ")).map(m -> {
            String[] p = m.split(":");
            return new ScalePlan.Member(p[0], p[1].equals("_") ? null : p[1], Boolean.parseBoolean(p[2]), Boolean.parseBoolean(p[3]), "2026-01-01T00:00:0" + p[4] + "Z");
        }).toList();
    }

    @ParameterizedTest(name = "[{index}] want {0} paused={1} members={2} -> create {3} delete {4}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            3 | false | null                                                  | 3 | ''
            3 | false | a:Running:true:false:1                                | 2 | ''
            3 | true  | a:Running:true:false:1                                | 0 | ''
            1 | true  | a:Running:true:false:1 b:_:false:false:2              | 0 | ''
            1 | false | a:Running:true:false:1 b:Scheduled:false:false:2 c:Scheduling:false:false:3 | 0 | c b
            1 | false | a:Scheduled:false:false:1 b:Running:true:false:2 c:Running:false:false:3   | 0 | a c
            2 | false | a:Running:true:false:1 b:Running:true:false:2 c:Running:true:false:3      | 0 | c
            2 | false | a:Failed:false:false:1 b:Running:true:false:2                             | 1 | a
            2 | false | a:Succeeded:false:false:1 b:Running:true:false:2 c:Running:true:false:3   | 0 | a
            2 | false | a:Running:true:true:1 b:Running:true:false:2                              | 1 | ''
            0 | false | a:Running:true:false:1 b:Failed:false:false:2                             | 0 | b a
            """)
    void plan(int desired, boolean paused, String members, int create, String delete) {
        List<String> expectedDelete = delete == null || delete.isEmpty() ? List.of() : List.of(delete.split(" "));
        assertEquals(new ScalePlan(create, expectedDelete), ScalePlan.plan(desired, paused, members(members)));
    }
}
