package dev.tokenrefresher.scheduler.security;

import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The API keys the scheduler accepts, bound from {@code refresher.security.api-keys}. A request presents its key in
 * the {@code X-API-Key} header.
 *
 * <p>Example: {@code refresher.security.api-keys[0].name=ops}, {@code ...[0].key=<at least 24 characters>},
 * {@code ...[0].roles=admin}; from the environment {@code REFRESHER_SECURITY_APIKEYS_0_NAME} and so on.
 *
 * @param apiKeys the accepted keys; at least one is required, or the scheduler does not start
 */
@ConfigurationProperties("refresher.security")
public record ApiKeyProperties(List<ApiKey> apiKeys) {

    /** Shorter keys are refused at start-up: they could be guessed. */
    public static final int MIN_KEY_LENGTH = 24;

    public ApiKeyProperties {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    }

    /**
     * One key.
     *
     * @param name who holds it (shown in logs and as the principal; never the key itself)
     * @param key the secret value, at least {@value ApiKeyProperties#MIN_KEY_LENGTH} characters; set it from the
     *            environment or a secret store
     * @param roles {@code admin}, {@code token-reader}, or both
     */
    public record ApiKey(String name, String key, Set<ApiRole> roles) {

        public ApiKey {
            roles = roles == null ? Set.of() : Set.copyOf(roles);
        }

        @Override
        public String toString() {
            return "ApiKey[name=" + name + ", roles=" + roles + "]";
        }
    }
}
