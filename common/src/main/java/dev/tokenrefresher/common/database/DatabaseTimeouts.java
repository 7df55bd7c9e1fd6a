package dev.tokenrefresher.common.database;

import com.zaxxer.hikari.HikariConfig;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Puts {@link DatabaseProperties}' limits on the apps' connection pool before it opens its first connection: the
 * PostgreSQL driver's {@code socketTimeout} and the session's {@code statement_timeout}.
 */
public class DatabaseTimeouts implements BeanPostProcessor {

    private final DatabaseProperties properties;

    public DatabaseTimeouts(DatabaseProperties properties) {
        this.properties = properties;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariConfig pool) {
            applyTo(pool);
        }
        return bean;
    }

    /** Sets the limits on a pool's configuration; the driver reads them for every connection it opens. */
    public void applyTo(HikariConfig pool) {
        pool.addDataSourceProperty("socketTimeout", Long.toString(properties.socketTimeout().toSeconds()));
        pool.addDataSourceProperty("options", "-c statement_timeout=" + properties.statementTimeout().toMillis());
    }
}
