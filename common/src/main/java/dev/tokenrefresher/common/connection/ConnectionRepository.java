package dev.tokenrefresher.common.connection;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.repository.Repository;

/** Reads of the {@code connection} aggregate; the guarded writes of the refresh path live in {@link ConnectionStore}. */
interface ConnectionRepository extends Repository<ConnectionRow, UUID> {

    Optional<ConnectionRow> findById(UUID id);

    Optional<ConnectionRow> findByTenantIdAndProvider(String tenantId, String provider);
}
