package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyHistogramTest {

    @ParameterizedTest(name = "1..{0} ms: p{1} = {2}")
    @CsvSource({
        "100, 50, 50",
        "100, 99, 99",
        "1000, 50, 500",
        "1000, 99, 984",
        "1, 99, 1",
    })
    void percentilesAreNearestRankWithinTheBucketsPrecision(long n, int p, long expected) {
        LatencyHistogram h = new LatencyHistogram();
        LongStream.rangeClosed(1, n).forEach(h::record);

        assertThat(h.percentile(p)).isEqualTo(expected);
        assertThat(h.max()).isEqualTo(n);
    }
}
