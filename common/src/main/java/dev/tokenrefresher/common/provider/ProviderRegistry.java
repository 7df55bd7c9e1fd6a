package dev.tokenrefresher.common.provider;

import dev.tokenrefresher.common.messaging.TopologyNames;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The configured providers, resolved and validated at start-up. */
public class ProviderRegistry {

    private static final Pattern NAME = TopologyNames.PROVIDER;

    private final Map<String, ProviderSettings> providers;

    public ProviderRegistry(ProvidersProperties properties) {
        Map<String, ProviderSettings> resolved = new LinkedHashMap<>();
        new TreeMap<>(properties.providers()).forEach((name, configured) -> resolved.put(name, resolve(name,
                configured)));
        this.providers = Map.copyOf(resolved);
    }

    public ProviderSettings get(String name) {
        return find(name).orElseThrow(() -> new UnknownProviderException(name, providers.keySet()));
    }

    public Optional<ProviderSettings> find(String name) {
        return Optional.ofNullable(name).map(providers::get);
    }

    public Collection<ProviderSettings> all() {
        return providers.values();
    }

    static ProviderSettings resolve(String name, ProviderProperties configured) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidProviderConfigurationException(name,
                    "the name must be lowercase letters, digits and dashes (it becomes part of queue names)");
        }
        String presetId = configured.preset() != null ? configured.preset() : name;
        Optional<ProviderPreset> preset = ProviderPreset.byId(presetId);
        if (configured.preset() != null && preset.isEmpty()) {
            throw new InvalidProviderConfigurationException(name, "unknown preset '" + configured.preset()
                    + "'; known presets: quickbooks");
        }
        var tokenUri = configured.tokenUri() != null
                ? configured.tokenUri()
                : preset.map(p -> p.tokenUri).orElse(null);
        if (tokenUri == null) {
            throw new InvalidProviderConfigurationException(name, "token-uri is required");
        }
        if (!"https".equals(tokenUri.getScheme()) && !"http".equals(tokenUri.getScheme())) {
            throw new InvalidProviderConfigurationException(name, "token-uri must be an http(s) URI, was "
                    + tokenUri);
        }
        if (isBlank(configured.clientId())) {
            throw new InvalidProviderConfigurationException(name, "client-id is required");
        }
        if (isBlank(configured.clientSecret())) {
            throw new InvalidProviderConfigurationException(name, "client-secret is required (set it from the "
                    + "environment: REFRESHER_PROVIDERS_" + name.toUpperCase().replace('-', '_') + "_CLIENTSECRET)");
        }
        Map<String, String> headers = new LinkedHashMap<>(preset.map(p -> p.requestHeaders).orElse(Map.of()));
        if (configured.requestHeaders() != null) {
            headers.putAll(configured.requestHeaders());
        }
        ProviderSettings settings = new ProviderSettings(name, tokenUri, configured.clientId(),
                configured.clientSecret(),
                firstNonNull(configured.clientAuthentication(), preset.map(p -> p.clientAuthentication).orElse(null),
                        ProviderSettings.DEFAULT_CLIENT_AUTHENTICATION),
                firstNonNull(configured.refreshLeadTime(), null, ProviderSettings.DEFAULT_REFRESH_LEAD_TIME),
                firstNonNull(configured.concurrency(), null, ProviderSettings.DEFAULT_CONCURRENCY),
                firstNonNull(configured.requestTimeout(), null, ProviderSettings.DEFAULT_REQUEST_TIMEOUT),
                firstNonNull(configured.defaultAccessTokenLifetime(), null,
                        ProviderSettings.DEFAULT_ACCESS_TOKEN_LIFETIME),
                Map.copyOf(headers),
                firstNonNull(configured.revocationUri(), preset.map(p -> p.revocationUri).orElse(null), null),
                firstNonNull(configured.revocationFormat(), preset.map(p -> p.revocationFormat).orElse(null),
                        ProviderSettings.DEFAULT_REVOCATION_FORMAT),
                firstNonNull(configured.timeoutQuietPeriod(), null, ProviderSettings.DEFAULT_TIMEOUT_QUIET_PERIOD),
                new ProviderAuthorization(
                        firstNonNull(configured.authorizationUri(), preset.map(p -> p.authorizationUri).orElse(null),
                                null),
                        firstNonNull(configured.scopes(), preset.map(p -> p.scopes).orElse(null), List.of()),
                        configured.redirectUri(),
                        firstNonNull(configured.pkce(), preset.map(p -> p.pkce).orElse(null), true)));
        requireHttp(name, "revocation-uri", settings.revocationUri());
        requireHttp(name, "authorization-uri", settings.authorization().authorizationUri());
        requireHttp(name, "redirect-uri", settings.authorization().redirectUri());
        requirePositive(name, "refresh-lead-time", settings.refreshLeadTime(), true);
        requirePositive(name, "request-timeout", settings.requestTimeout(), false);
        requirePositive(name, "default-access-token-lifetime", settings.defaultAccessTokenLifetime(), false);
        requirePositive(name, "timeout-quiet-period", settings.timeoutQuietPeriod(), true);
        if (settings.concurrency() < 1) {
            throw new InvalidProviderConfigurationException(name, "concurrency must be at least 1, was "
                    + settings.concurrency());
        }
        return settings;
    }

    /** An optional endpoint must be an absolute http(s) URI: the user's browser or our client goes there. */
    private static void requireHttp(String name, String property, URI uri) {
        if (uri != null && !"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new InvalidProviderConfigurationException(name, property + " must be an http(s) URI, was " + uri);
        }
    }

    private static void requirePositive(String name, String property, Duration value, boolean zeroAllowed) {
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw new InvalidProviderConfigurationException(name, property + " must be positive, was " + value);
        }
    }

    private static <T> T firstNonNull(T configured, T preset, T fallback) {
        return configured != null ? configured : preset != null ? preset : fallback;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
