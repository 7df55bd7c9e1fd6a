package dev.tokenrefresher.common.connection;

import java.util.List;
import java.util.UUID;

import org.springframework.data.repository.Repository;

/** Reads of the attempt history. */
public interface RefreshAttemptRepository extends Repository<RefreshAttemptRow, Long> {

    List<RefreshAttemptRow> findTop20ByConnectionIdOrderByAttemptedAtDesc(UUID connectionId);

    long countByConnectionIdAndOutcome(UUID connectionId, AttemptOutcome outcome);
}
