package dev.tokenrefresher.common.connection;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.repository.Repository;

/** Reads of the {@code connection} aggregate; the guarded writes live in {@link ConnectionStore}, {@link ConnectionClaims} and {@link RefreshOutcomes}. */
interface ConnectionRepository extends Repository<ConnectionRow, UUID> {

    Optional<ConnectionRow> findById(UUID id);

    Optional<ConnectionRow> findByTenantIdAndProvider(String tenantId, String provider);
}
