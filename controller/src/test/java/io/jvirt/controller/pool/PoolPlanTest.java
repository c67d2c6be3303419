package io.jvirt.controller.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolPlanTest {
    /** Members as {@code name[:deleting]@created} separated by spaces. */
    private static List<PoolPlan.Member> members(String text) {
        if (text == null) return List.of();
        return Arrays.stream(text.split(" ")).map(m -> {
            String[] at = m.split("@");
            return new PoolPlan.Member(at[0].replace(":deleting", ""), at[0].endsWith(":deleting"), at[1]);
        }).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        an empty pool of two           | 2 |                 |                                   | p-0 p-1 |
        a gap is filled first          | 4 |                 | p-1@2 p-3@3                       | p-0 p-2 |
        a deleting member holds its name | 2 |               | p-0@1 p-1:deleting@2              |         |
        deleted, then replaced         | 2 |                 | p-0@1                             | p-1     |
        scale in by index, descending  | 1 | DescendingOrder | p-0@1 p-1@2 p-2@3                 |         | p-2 p-1
        scale in by index, ascending   | 1 | AscendingOrder  | p-0@1 p-1@2 p-2@3                 |         | p-0 p-1
        scale in the newest            | 2 | Newest          | p-0@2026-01-02 p-1@2026-01-01 p-2@2026-01-03 | | p-2
        scale in the oldest            | 2 | Oldest          | p-0@2026-01-02 p-1@2026-01-01 p-2@2026-01-03 | | p-1
        a deleting member counts as removed | 1 | AscendingOrder | p-0@1 p-1@2 p-2:deleting@3      |         | p-0
        """)
    void plans(String name, int desired, String policy, String members, String create, String delete) {
        PoolPlan plan = PoolPlan.plan("p", desired, false, policy, members(members), new Random(1));
        assertEquals(create == null ? List.of() : List.of(create.split(" ")), plan.create());
        assertEquals(delete == null ? List.of() : List.of(delete.split(" ")), plan.delete());
    }

    @ParameterizedTest
    @CsvSource({"vm-pool-3, 3", "vm-pool, 0", "a-b-12, 12"})
    void indexes(String name, int index) {
        assertEquals(index, PoolPlan.index(name));
    }
}
