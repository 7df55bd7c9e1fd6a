package dev.tokenrefresher.scheduler.connect;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A reconnect session for an existing connection: its tenant and provider are the connection's, and completing it
 * keeps the connection's id.
 *
 * @param returnUrl as for {@link ConnectSessionRequest#returnUrl()}
 * @param scopes as for {@link ConnectSessionRequest#scopes()}
 */
public record ReconnectSessionRequest(
        @NotBlank @Size(max = 2000) String returnUrl,
        @Size(max = 20) List<@NotBlank @Size(max = 200) String> scopes) {
}
