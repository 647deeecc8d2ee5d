package io.botvisor.supervisor.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    @Test
    void rootsFullSetLacksNothing() {
        assertThat(Capabilities.missing(Capabilities.effective("Name:\tjava\nCapEff:\t000001ffffffffff\n"))).isNull();
    }

    @Test
    void setuidAndSetgidAloneAreNotEnoughAndTheRestIsNamed() {
        long setIds = (1L << Capabilities.SETUID) | (1L << Capabilities.SETGID);
        assertThat(Capabilities.missing(setIds))
                .isEqualTo("the supervisor lacks CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE, CAP_KILL");
    }

    @Test
    void ordinaryUserLacksEverything() {
        assertThat(Capabilities.missing(Capabilities.effective("CapEff:\t0000000000000000\n")))
                .startsWith("the supervisor lacks CAP_SETUID, CAP_SETGID");
    }
}
