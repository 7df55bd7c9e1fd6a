package dev.tokenrefresher.common.test;

import dev.tokenrefresher.common.connection.NewConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Builds connections to register, with sensible test defaults: valid for an hour, due in 50 minutes. */
public final class NewConnectionBuilder {

    private String tenantId = "tenant-" + UUID.randomUUID();
    private String provider = "quickbooks";
    private String realmId = "9130" + Long.toString(System.nanoTime() % 1_000_000_000_000L);
    private String accessToken = "test_at_" + UUID.randomUUID();
    private String refreshToken = "test_rt_" + UUID.randomUUID();
    private Instant now = Instant.now();
    private Duration accessTokenLifetime = Duration.ofHours(1);
    private Duration refreshTokenLifetime = Duration.ofDays(100);
    private Duration leadTime = Duration.ofMinutes(10);

    public static NewConnectionBuilder aConnection() {
        return new NewConnectionBuilder();
    }

    public NewConnectionBuilder tenant(String tenantId) {
        this.tenantId = tenantId;
        return this;
    }

    public NewConnectionBuilder provider(String provider) {
        this.provider = provider;
        return this;
    }

    public NewConnectionBuilder tokens(String accessToken, String refreshToken) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        return this;
    }

    public NewConnectionBuilder at(Instant now) {
        this.now = now;
        return this;
    }

    public NewConnectionBuilder accessTokenLifetime(Duration lifetime) {
        this.accessTokenLifetime = lifetime;
        return this;
    }

    public NewConnectionBuilder refreshTokenLifetime(Duration lifetime) {
        this.refreshTokenLifetime = lifetime;
        return this;
    }

    public NewConnectionBuilder leadTime(Duration leadTime) {
        this.leadTime = leadTime;
        return this;
    }

    public NewConnection build() {
        Instant accessExpiresAt = now.plus(accessTokenLifetime);
        Instant due = accessExpiresAt.minus(leadTime);
        return new NewConnection(tenantId, provider, realmId, accessToken, refreshToken, accessExpiresAt,
                accessTokenLifetime, refreshTokenLifetime == null ? null : now.plus(refreshTokenLifetime),
                due.isBefore(now) ? now : due);
    }
}
