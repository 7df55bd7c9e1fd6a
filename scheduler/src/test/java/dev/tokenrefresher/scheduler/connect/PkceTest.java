package dev.tokenrefresher.scheduler.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PkceTest {

    /** RFC 7636 appendix B. */
    @Test
    void theChallengeOfTheRfcsExampleVerifierIsTheRfcsChallenge() {
        assertThat(Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
                .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    @Test
    void aVerifierFromTheSecretsIsWithinTheLengthsAndAlphabetRfc7636Allows() {
        String verifier = new Secrets().next();

        assertThat(verifier).hasSizeBetween(43, 128).matches("[A-Za-z0-9._~-]+");
        assertThat(new Secrets().next()).isNotEqualTo(verifier);
    }
}
