package dev.tokenrefresher.common.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenrefresher.common.CommonConfiguration;
import dev.tokenrefresher.common.test.BlackholeProxy;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A database connection that goes silent, or a statement that runs long, cannot hold a thread for minutes. */
@SpringBootTest(classes = DatabaseTimeoutsTest.AppsPool.class)
class DatabaseTimeoutsTest extends ServicesTestBase {

    private static final Pattern HOST_AND_PORT = Pattern.compile("^jdbc:postgresql://([^:/]+):(\\d+)(/.*)$");

    @Autowired
    DataSource appsPool;

    @Test
    void aStatementOnAConnectionThatWentSilentFailsAtTheSocketTimeoutInsteadOfHanging() throws Exception {
        Matcher url = HOST_AND_PORT.matcher(TestServices.get().jdbcUrl());
        assertThat(url.matches()).as(TestServices.get().jdbcUrl()).isTrue();
        // not closed by try-with-resources: closing waits for its task, which hangs where the limit is missing
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (BlackholeProxy proxy = BlackholeProxy.to(url.group(1), Integer.parseInt(url.group(2)));
                HikariDataSource pool = pool("jdbc:postgresql://127.0.0.1:" + proxy.port() + url.group(3),
                        new DatabaseProperties(Duration.ofSeconds(2), Duration.ofSeconds(1)))) {
            JdbcClient jdbc = JdbcClient.create(pool);
            assertThat(jdbc.sql("SELECT 1").query(Integer.class).single()).isEqualTo(1);

            proxy.blackhole();
            long started = System.nanoTime();
            Future<Integer> statement = caller.submit(() -> jdbc.sql("SELECT 1").query(Integer.class).single());

            // without a socket timeout the read waits for the operating system's TCP timeout: many minutes
            assertThatThrownBy(() -> statement.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(
                    DataAccessException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void aStatementLongerThanTheStatementTimeoutIsEndedByTheServer() {
        try (HikariDataSource pool = pool(TestServices.get().jdbcUrl(), new DatabaseProperties(Duration.ofSeconds(
                10), Duration.ofMillis(500)))) {
            assertThatThrownBy(() -> JdbcClient.create(pool).sql("SELECT pg_sleep(5)").query().listOfRows())
                    .isInstanceOf(DataAccessException.class).hasMessageContaining("statement timeout");
        }
    }

    @Test
    void theAppsPoolCarriesTheDefaultLimits() {
        HikariDataSource pool = (HikariDataSource) appsPool;

        assertThat(pool.getDataSourceProperties()).containsEntry("socketTimeout", "35").containsEntry("options",
                "-c statement_timeout=25000");
        assertThat(JdbcClient.create(pool).sql("SHOW statement_timeout").query(String.class).single()).isEqualTo(
                "25s");
    }

    private static HikariDataSource pool(String jdbcUrl, DatabaseProperties limits) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(TestServices.get().postgresUser());
        config.setPassword(TestServices.get().postgresPassword());
        config.setMaximumPoolSize(1);
        new DatabaseTimeouts(limits).applyTo(config);
        return new HikariDataSource(config);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(CommonConfiguration.class)
    static class AppsPool {
    }
}
