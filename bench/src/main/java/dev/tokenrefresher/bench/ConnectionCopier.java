package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Writes ACTIVE connections with PostgreSQL's {@code COPY}, their tokens encrypted by the real cipher and bound to row
 * and column as {@link ConnectionStore} binds them, so that workers refresh them like registered ones. Registering
 * them one by one through the store stored about 1,800 per second here: a minute of the benchmark at 100,000.
 */
final class ConnectionCopier {

    /** One connection to write, fence 1; {@code realmId} may be null; ids without commas or quotes (plain CSV). */
    record Row(UUID id, String tenantId, String realmId, String accessToken, String refreshToken,
            Instant accessExpiresAt, Instant refreshExpiresAt, Instant nextRefreshAt) {

        @Override
        public String toString() {
            return "Row[id=" + id + "]";
        }
    }

    private final DataSource dataSource;
    private final TokenCipher cipher;
    private final String provider;

    ConnectionCopier(DataSource dataSource, TokenCipher cipher, String provider) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.provider = provider;
    }

    /** Writes the rows in one {@code COPY}. */
    void copy(List<Row> rows, Instant now) throws SQLException, IOException {
        StringBuilder csv = new StringBuilder();
        for (Row row : rows) {
            csv.append(row.id()).append(',').append(row.tenantId()).append(',').append(provider).append(',')
                    .append(row.realmId() == null ? "" : encrypted(row.realmId(), row.id(), ConnectionStore.REALM_ID))
                    .append(",ACTIVE,")
                    .append(encrypted(row.accessToken(), row.id(), ConnectionStore.ACCESS_TOKEN)).append(',')
                    .append(encrypted(row.refreshToken(), row.id(), ConnectionStore.REFRESH_TOKEN)).append(',')
                    .append(row.accessExpiresAt()).append(',').append(row.refreshExpiresAt()).append(',')
                    .append(row.nextRefreshAt()).append(",1,").append(now).append(',').append(now).append('\n');
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY connection (id, tenant_id, provider, "
                    + "realm_id_enc, status, access_token_enc, refresh_token_enc, access_expires_at, "
                    + "refresh_expires_at, next_refresh_at, refresh_fence, created_at, updated_at) FROM STDIN "
                    + "(FORMAT csv)", new StringReader(csv.toString()));
        }
    }

    private String encrypted(String plaintext, UUID id, String column) {
        return "\\x" + HexFormat.of().formatHex(cipher.encrypt(plaintext, CipherBinding.connection(id, column)));
    }
}
