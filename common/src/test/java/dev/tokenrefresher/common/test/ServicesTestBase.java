package dev.tokenrefresher.common.test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Base for Spring integration tests: points the context at {@link TestServices}' PostgreSQL and RabbitMQ. */
public abstract class ServicesTestBase {

    @DynamicPropertySource
    static void realServices(DynamicPropertyRegistry registry) {
        TestServices.get().springProperties().forEach((key, value) -> registry.add(key, () -> value));
    }
}
