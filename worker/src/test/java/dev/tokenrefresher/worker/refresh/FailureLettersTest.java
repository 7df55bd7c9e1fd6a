package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.test.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpConnectException;
import tools.jackson.databind.ObjectMapper;

/** The worker's dead-letter step: what a letter says, and that a send the broker refuses leaves it to the relay. */
class FailureLettersTest {

    private static final String PROVIDER = "quickbooks";

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final DeadLetterPublisher publisher = mock(DeadLetterPublisher.class);
    private final PendingDeadLetters pending = mock(PendingDeadLetters.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FailureLetters letters;

    FailureLettersTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null,
                        null, null, null, null, null, null))));
        // a broker outage is waited out for 100 ms here, 30 s by default
        WorkerProperties properties = new WorkerProperties("test-worker", null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, Duration.ofMillis(100), null, null, null);
        letters = new FailureLetters(publisher, pending, new RefreshMessageCodec(new ObjectMapper()),
                new InfrastructureRetry(properties), new RefreshMetrics(meters, providers), properties);
    }

    @Test
    void aLetterCountsTheRunsAttemptsFromItsFirstFailure() {
        Instant firstFailure = clock.instant().minus(Duration.ofHours(5));
        Claim claim = claim(4, firstFailure);

        DeadLetter letter = letters.letter(claim, new RefreshMessage(claim.connectionId(), 9, clock.instant(), 2),
                "retries_exhausted", "http_503", "Service Unavailable", 503, clock.instant());

        assertThat(letter.reason()).isEqualTo("retries_exhausted");
        assertThat(letter.errorCode()).isEqualTo("http_503");
        assertThat(letter.attempts()).as("the row's count, this attempt included").isEqualTo(5);
        assertThat(letter.firstFailureAt()).isEqualTo(firstFailure);
        assertThat(letter.lastFailureAt()).isEqualTo(clock.instant());
        assertThat(letter.worker()).isEqualTo("test-worker");
        assertThat(letter.messageId()).isEqualTo(claim.connectionId() + ":9:2");
    }

    @Test
    void theFirstFailureOfALetterWithoutEarlierFailuresIsNow() {
        Claim claim = claim(0, null);

        DeadLetter letter = letters.letter(claim, new RefreshMessage(claim.connectionId(), 9, clock.instant(), 0),
                "invalid_grant", "invalid_grant", "Token invalid", 400, clock.instant());

        assertThat(letter.firstFailureAt()).isEqualTo(clock.instant());
        assertThat(letter.attempts()).isEqualTo(1);
    }

    @Test
    void aSendTheBrokerRefusesThrowsAndQueuesNoEventOrCount() {
        Claim claim = claim(0, null);
        DeadLetter letter = letters.letter(claim, new RefreshMessage(claim.connectionId(), 9, clock.instant(), 0),
                "invalid_grant", "invalid_grant", "Token invalid", 400, clock.instant());
        doThrow(new AmqpConnectException(new java.net.ConnectException("refused"))).when(pending).publish(any(),
                any());
        RefreshOutbox outbox = new RefreshOutbox();

        assertThatThrownBy(() -> letters.send(claim, letter, outbox)).isInstanceOf(AmqpConnectException.class);

        // the exception leaves the delivery unsettled and the kept letter to the relay (PendingDeadLettersTest shows
        // the letter forgotten only after a confirm); nothing says it was sent
        assertThat(outbox.events()).isEmpty();
        assertThat(meters.find("refresher.dead_letters").tag("reason", "invalid_grant").counter().count()).isZero();
    }

    @Test
    void aConfirmedSendCountsTheLetterAndQueuesItsEvent() {
        Claim claim = claim(0, null);
        DeadLetter letter = letters.letter(claim, new RefreshMessage(claim.connectionId(), 9, clock.instant(), 0),
                "invalid_grant", "invalid_grant", "Token invalid", 400, clock.instant());
        RefreshOutbox outbox = new RefreshOutbox();

        letters.send(claim, letter, outbox);

        verify(pending).publish(publisher, letter);
        assertThat(outbox.events()).extracting(ConnectionEvent::type).containsExactly(ConnectionEvent.DEAD_LETTERED);
        assertThat(meters.find("refresher.dead_letters").tag("reason", "invalid_grant").counter().count()).isEqualTo(
                1);
    }

    private Claim claim(int failures, Instant firstFailure) {
        return new Claim(UUID.randomUUID(), "tenant", PROVIDER, 9, "test-worker", clock.instant().plusSeconds(60),
                Duration.ofMinutes(2), "refresh", new byte[]{1}, clock.instant().plusSeconds(600), clock.instant()
                        .plus(Duration.ofDays(90)),
                failures, firstFailure, null);
    }
}
