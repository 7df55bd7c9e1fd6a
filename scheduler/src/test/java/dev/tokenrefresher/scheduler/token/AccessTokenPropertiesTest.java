package dev.tokenrefresher.scheduler.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessTokenPropertiesTest {

    private static AccessTokenProperties withLease(Duration lease) {
        return new AccessTokenProperties(null, null, lease, "api-test", null, null, null);
    }

    @Test
    void anOnDemandClaimsWorstCaseIsOneWholeRequestAndASecondForTheStatements() {
        AccessTokenProperties defaults = withLease(null);

        assertThat(defaults.worstCase(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(11));
        assertThat(defaults.leaseFloor(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(11));
        // a lease only just covering the worst case is its own floor
        assertThat(withLease(Duration.ofSeconds(11)).leaseFloor(Duration.ofSeconds(10))).isEqualTo(Duration
                .ofSeconds(11));
    }

    @Test
    void aLeaseShorterThanARequestAndTheStatementsRefusesToStartNamingTheSettingsAndFigures() {
        assertThatThrownBy(() -> withLease(Duration.ofSeconds(10)).requireLeaseCovers("quickbooks", Duration
                .ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refresher.access-token.lease (PT10S) is shorter than the worst case")
                .hasMessageContaining("for provider quickbooks, PT11S = refresher.providers.quickbooks.request-timeout "
                        + "PT10S + the statements PT1S")
                .hasMessageContaining("raise refresher.access-token.lease to at least PT11S");
        withLease(Duration.ofSeconds(11)).requireLeaseCovers("quickbooks", Duration.ofSeconds(10));
    }
}
