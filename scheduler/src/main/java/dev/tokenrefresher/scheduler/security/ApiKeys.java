package dev.tokenrefresher.scheduler.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured keys, held only as SHA-256 digests and compared in constant time, so that neither a heap dump nor the
 * time an answer takes gives a key away.
 */
final class ApiKeys {

    /** Who presented a valid key, and what they may do. */
    record Holder(String name, Set<ApiRole> roles) {
    }

    private record Entry(byte[] digest, Holder holder) {
    }

    private final List<Entry> entries;

    ApiKeys(ApiKeyProperties properties) {
        if (properties.apiKeys().isEmpty()) {
            throw new InvalidApiKeyConfigurationException("no API key configured: set refresher.security.api-keys"
                    + "[0].name, .key (at least " + ApiKeyProperties.MIN_KEY_LENGTH + " characters) and .roles (admin, "
                    + "token-reader), e.g. REFRESHER_SECURITY_APIKEYS_0_KEY from the environment");
        }
        List<Entry> valid = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < properties.apiKeys().size(); i++) {
            ApiKeyProperties.ApiKey key = properties.apiKeys().get(i);
            String where = "refresher.security.api-keys[" + i + "]";
            if (key.name() == null || key.name().isBlank()) {
                throw new InvalidApiKeyConfigurationException(where + ".name is missing");
            }
            if (!names.add(key.name())) {
                throw new InvalidApiKeyConfigurationException(where + ".name '" + key.name() + "' is used twice");
            }
            if (key.key() == null || key.key().length() < ApiKeyProperties.MIN_KEY_LENGTH) {
                throw new InvalidApiKeyConfigurationException("API key '" + key.name() + "' (" + where + ".key) is "
                        + "missing or shorter than " + ApiKeyProperties.MIN_KEY_LENGTH + " characters");
            }
            if (key.roles().isEmpty()) {
                throw new InvalidApiKeyConfigurationException("API key '" + key.name() + "' (" + where + ".roles) has "
                        + "no role: give it admin, token-reader or both");
            }
            byte[] digest = digest(key.key());
            if (valid.stream().anyMatch(entry -> MessageDigest.isEqual(entry.digest(), digest))) {
                throw new InvalidApiKeyConfigurationException("API key '" + key.name() + "' has the same value as "
                        + "another key");
            }
            valid.add(new Entry(digest, new Holder(key.name(), key.roles())));
        }
        this.entries = List.copyOf(valid);
    }

    /** The holder of this key; every configured key is compared, whether an earlier one matched or not. */
    Optional<Holder> holderOf(String presented) {
        byte[] digest = digest(presented);
        Holder match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest)) {
                match = entry.holder();
            }
        }
        return Optional.ofNullable(match);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
