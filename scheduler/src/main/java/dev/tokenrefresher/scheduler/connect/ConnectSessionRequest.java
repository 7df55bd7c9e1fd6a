package dev.tokenrefresher.scheduler.connect;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A connect session to make: the link a host app hands its user to connect a tenant at a provider.
 *
 * @param tenantId the host app's id for the tenant (one connection per tenant and provider: connecting again is a
 *            reconnect of the same connection)
 * @param provider a configured provider with an {@code authorization-uri}
 * @param returnUrl where the user's browser goes once it is over, with {@code connectionId} and {@code status}, or
 *            {@code error}; must be under one of {@code refresher.connect.allowed-return-urls}
 * @param scopes the scopes to ask for; default the provider's {@code scopes}
 */
public record ConnectSessionRequest(
        @NotBlank @Size(max = 200) String tenantId,
        @NotBlank @Size(max = 64) String provider,
        @NotBlank @Size(max = 2000) String returnUrl,
        @Size(max = 20) List<@NotBlank @Size(max = 200) String> scopes) {
}
