package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.api.v1.FailureReason;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The back-off of a start that failed for a transient reason, as kubelet's image pulls back off. */
class RetryTest {
    @ParameterizedTest(name = "failure {0}: retry after {1} s as {2}")
    @CsvSource({
        "1, 10, ErrImagePull",
        "2, 20, ImagePullBackOff",
        "3, 40, ImagePullBackOff",
        "5, 160, ImagePullBackOff",
        "6, 300, ImagePullBackOff",   // at most 5 min
        "40, 300, ImagePullBackOff",
    })
    void doublesFromTenSecondsToFiveMinutesAndSaysBackOffAfterTheFirst(int failures, long seconds, String reason) {
        PodRunner.Retry retry = null;
        for (int i = 0; i < failures; i++) {
            retry = PodRunner.Retry.after(retry, FailureReason.ERR_IMAGE_PULL);
        }
        assertEquals(failures, retry.failures());
        assertEquals(Duration.ofSeconds(seconds), retry.delay());
        assertEquals(reason, retry.reason().reason());
    }
}
