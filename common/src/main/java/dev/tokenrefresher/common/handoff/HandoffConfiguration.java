package dev.tokenrefresher.common.handoff;

import com.rabbitmq.client.Address;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.LateTokenRevocation;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/** The hand-off of issued tokens (DESIGN decision 10): the recorder every refresh path uses, and each app's drain. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HandoffProperties.class)
public class HandoffConfiguration {

    @Bean
    HandoffCodec handoffCodec(ObjectMapper json, TokenCipher cipher) {
        return new HandoffCodec(json, cipher);
    }

    @Bean
    IssuedTokensRecorder issuedTokensRecorder(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            HandoffCodec codec, HandoffProperties properties, ObjectProvider<MeterRegistry> meters, Clock clock) {
        HandoffPublisher publisher = new HandoffPublisher(connectionFactory, topology, codec, properties);
        return new IssuedTokensRecorder(publisher::publish, meters.getIfAvailable(SimpleMeterRegistry::new), clock,
                duration -> Thread.sleep(duration));
    }

    @Bean
    HandoffDrain handoffDrain(CachingConnectionFactory connectionFactory, RabbitConnectionDetails broker,
            RefresherTopology topology,
            HandoffCodec codec, RefreshOutcomes outcomes, RefreshPublisher publisher, ConnectionEventPublisher events,
            ConnectionStore store, ProviderRegistry providers, LateTokenRevocation lateTokens,
            DeadLetterPublisher deadLetters, PendingDeadLetters pending, RefreshMessageCodec messageCodec,
            JdbcClient jdbc,
            TransactionTemplate transactions, HandoffProperties properties, ObjectProvider<MeterRegistry> meters,
            Clock clock) {
        MeterRegistry registry = meters.getIfAvailable(SimpleMeterRegistry::new);
        List<Address> addresses = broker.getAddresses().stream().map(address -> new Address(address.host(), address
                .port())).toList();
        return new HandoffDrain(connectionFactory, addresses, topology, codec, outcomes,
                new AppliedHandoffs(publisher, events,
                        store, providers, lateTokens, registry, clock),
                new RefusedHandoffs(outcomes, deadLetters, pending,
                        messageCodec, events, topology, registry, clock),
                jdbc, transactions, properties, registry);
    }
}
