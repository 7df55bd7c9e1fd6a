package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.ObjectMapper;

class RefreshMessageCodecTest {

    private final RefreshMessageCodec codec = new RefreshMessageCodec(new ObjectMapper());

    @Test
    void messageSurvivesTheRoundTrip() {
        RefreshMessage message = new RefreshMessage(UUID.randomUUID(), 42, Instant.parse("2026-11-28T12:00:00Z"), 3);

        assertThat(codec.decode(codec.encode(message), message.messageId())).isEqualTo(message);
    }

    @Test
    void messageIdDiffersForEveryFenceAndAttempt() {
        UUID id = UUID.randomUUID();
        Instant due = Instant.now();

        assertThat(new RefreshMessage(id, 1, due, 0).messageId()).isNotEqualTo(new RefreshMessage(id, 2, due, 0)
                .messageId()).isNotEqualTo(new RefreshMessage(id, 1, due, 1).messageId());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "not json at all|body is not JSON",
            "[1,2]|body is not a JSON object",
            "{\"fence\":1,\"dueAt\":\"2026-01-01T00:00:00Z\",\"attempt\":0}|connectionId is missing",
            "{\"connectionId\":\"nope\",\"fence\":1,\"dueAt\":\"2026-01-01T00:00:00Z\",\"attempt\":0}|connectionId is not a UUID",
            "{\"connectionId\":\"7d3f2b0e-8a43-4a8e-9a56-0f7f7c1d2b11\",\"fence\":\"1\",\"dueAt\":\"2026-01-01T00:00:00Z\",\"attempt\":0}|fence must be an integer",
            "{\"connectionId\":\"7d3f2b0e-8a43-4a8e-9a56-0f7f7c1d2b11\",\"fence\":1,\"dueAt\":\"tomorrow\",\"attempt\":0}|dueAt is not an ISO-8601 instant",
            "{\"connectionId\":\"7d3f2b0e-8a43-4a8e-9a56-0f7f7c1d2b11\",\"fence\":1,\"dueAt\":\"2026-01-01T00:00:00Z\"}|attempt is missing",
            "{\"connectionId\":\"7d3f2b0e-8a43-4a8e-9a56-0f7f7c1d2b11\",\"fence\":-1,\"dueAt\":\"2026-01-01T00:00:00Z\",\"attempt\":0}|must not be negative",
            "{\"connectionId\":\"7d3f2b0e-8a43-4a8e-9a56-0f7f7c1d2b11\",\"fence\":1,\"dueAt\":\"2026-01-01T00:00:00Z\",\"attempt\":0,\"token\":\"x\"}|unknown field 'token'"})
    void malformedBodiesAreRefusedWithTheirReason(String body, String reason) {
        assertThatThrownBy(() -> codec.decode(body.getBytes(StandardCharsets.UTF_8), "m-1"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("m-1");
    }

    @Test
    void oversizedBodyIsRefusedBeforeParsing() {
        byte[] body = new byte[RefreshMessageCodec.MAX_BODY_BYTES + 1];

        assertThatThrownBy(() -> codec.decode(body, null)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("exceeds");
    }
}
