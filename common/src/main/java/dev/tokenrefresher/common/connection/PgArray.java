package dev.tokenrefresher.common.connection;

import java.sql.Connection;
import java.sql.SQLException;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;

/**
 * A PostgreSQL array parameter, one element per row of a batch statement ({@code unnest(:ids::uuid[], ...)}). A named
 * parameter holding a Java array would be expanded into a list of placeholders instead.
 */
final class PgArray extends AbstractSqlTypeValue {

    private final String elementType;
    private final Object[] elements;

    private PgArray(String elementType, Object[] elements) {
        this.elementType = elementType;
        this.elements = elements;
    }

    /** @param elementType PostgreSQL's name of the element type ({@code uuid}, {@code bytea}, {@code timestamptz}) */
    static PgArray of(String elementType, Object[] elements) {
        return new PgArray(elementType, elements);
    }

    @Override
    protected Object createTypeValue(Connection connection, int sqlType, String typeName) throws SQLException {
        return connection.createArrayOf(elementType, elements);
    }
}
