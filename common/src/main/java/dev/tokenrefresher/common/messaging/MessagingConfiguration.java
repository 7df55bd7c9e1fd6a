package dev.tokenrefresher.common.messaging;

import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import java.time.Clock;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.ObjectMapper;

/** The RabbitMQ topology for the configured providers, the message codec and the publisher. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MessagingProperties.class)
public class MessagingConfiguration {

    /**
     * Every publish must be confirmed and unroutable messages returned; this holds whatever the
     * {@code spring.rabbitmq.*} settings say, because losing a refresh message silently is never what anyone wants.
     */
    @Bean
    static BeanPostProcessor publisherConfirmsEnforcer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof CachingConnectionFactory factory) {
                    factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
                    factory.setPublisherReturns(true);
                }
                return bean;
            }
        };
    }

    @Bean
    RefresherTopology refresherTopology(MessagingProperties properties) {
        return new RefresherTopology(properties);
    }

    @Bean
    Declarables refresherDeclarables(RefresherTopology topology, ProviderRegistry providers) {
        return topology.declarables(providers.all().stream().map(ProviderSettings::name).toList());
    }

    /** Fails the start when the broker refuses the declarations; see {@link TopologyVerifier}. */
    @Bean
    TopologyVerifier topologyVerifier(AmqpAdmin admin) {
        return new TopologyVerifier(admin);
    }

    @Bean
    RefreshMessageCodec refreshMessageCodec(ObjectMapper json) {
        return new RefreshMessageCodec(json);
    }

    @Bean
    DeadLetterPublisher deadLetterPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            MessagingProperties properties) {
        return new DeadLetterPublisher(connectionFactory, topology, properties);
    }

    @Bean
    ConnectionEventPublisher connectionEventPublisher(CachingConnectionFactory connectionFactory,
            RefresherTopology topology, ObjectMapper json, MessagingProperties properties, Clock clock) {
        return new ConnectionEventPublisher(connectionFactory, topology, json, properties, clock);
    }

    @Bean
    RefreshPublisher refreshPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            RefreshMessageCodec codec, MessagingProperties properties) {
        return new RefreshPublisher(connectionFactory, topology, codec, properties);
    }
}
