package dev.tokenrefresher.systemtests;

import dev.tokenrefresher.common.test.TestServices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.databind.JsonNode;

/**
 * The whole system as separate processes: the sandbox provider, the scheduler and N workers, against the test JVM's
 * PostgreSQL schema and RabbitMQ prefix. The provider is configured as {@code quickbooks}: the built-in preset with
 * its token URI pointed at the sandbox.
 */
final class RunningSystem implements AutoCloseable {

    static final String PROVIDER = "quickbooks";
    static final String CLIENT_ID = "system-test-client";
    static final String CLIENT_SECRET = "system-test-secret-" + UUID.randomUUID();

    private final String name;
    private final TestServices.Namespace namespace = TestServices.get().newNamespace();
    private final AppProcess sandboxApp;
    private final Sandbox sandbox;
    /** The properties every scheduler and worker gets, before the ones of single apps. */
    private final Map<String, String> refresherSettings;
    /** Settings of one app only, by app name ({@code scheduler}, {@code worker-1}, ...), after the shared ones. */
    private final Map<String, Map<String, String>> appSettings;
    private final List<AppProcess> apps = new ArrayList<>();
    /** Changes of the shared settings since the start ({@link #restartApps}): set, or removed where null. */
    private final Map<String, String> changedSettings = new LinkedHashMap<>();
    private AppProcess scheduler;
    /** Chosen before the start: the scheduler's connect links and callback name its own address. */
    private final int schedulerPort = AppProcess.freePort();
    private final List<AppProcess> workers = new ArrayList<>();

    private RunningSystem(String name, List<String> sandboxArguments, Map<String, String> refresherSettings,
            Map<String, Map<String, String>> appSettings, Integer databaseProxyPort) {
        this.name = name;
        this.appSettings = Map.copyOf(appSettings);
        TestServices.get().deleteQueuesAtExit(List.of(PROVIDER));
        List<String> sandboxArgs = new ArrayList<>(List.of("--sandbox.client-id=" + CLIENT_ID,
                "--sandbox.client-secret=" + CLIENT_SECRET));
        sandboxArgs.addAll(sandboxArguments);
        this.sandboxApp = track(AppProcess.start("sandbox", "sandbox.jar", name, sandboxArgs));
        this.sandbox = new Sandbox(sandboxApp);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("refresher.providers." + PROVIDER + ".token-uri", sandbox.tokenUri());
        settings.put("refresher.providers." + PROVIDER + ".client-id", CLIENT_ID);
        settings.put("refresher.providers." + PROVIDER + ".client-secret", CLIENT_SECRET);
        // connect sessions: the sandbox plays Intuit's consent page, and the scheduler's links and callback are its own
        settings.put("refresher.providers." + PROVIDER + ".authorization-uri", sandbox.authorizationUri());
        settings.put("refresher.connect.public-base-url", schedulerBaseUrl());
        settings.put("refresher.security.api-keys[0].name", "system-tests-admin");
        settings.put("refresher.security.api-keys[0].key", JsonHttp.ADMIN_KEY);
        settings.put("refresher.security.api-keys[0].roles", "admin");
        settings.put("refresher.security.api-keys[1].name", "system-tests-host-app");
        settings.put("refresher.security.api-keys[1].key", JsonHttp.TOKEN_READER_KEY);
        settings.put("refresher.security.api-keys[1].roles", "token-reader");
        settings.putAll(refresherSettings);
        Map<String, String> all = new LinkedHashMap<>(TestServices.get().springProperties(namespace));
        if (databaseProxyPort != null) {
            all.put("spring.datasource.url", jdbcUrlThrough(databaseProxyPort));
        }
        all.putAll(settings);
        this.refresherSettings = Collections.unmodifiableMap(all);
    }

    /**
     * Starts the sandbox, the scheduler and {@code workers} workers and waits until all are healthy.
     *
     * @param sandboxArguments e.g. {@code --sandbox.access-token-lifetime=8s}
     * @param refresherSettings properties for the scheduler and the workers
     */
    static RunningSystem start(String name, int workers, List<String> sandboxArguments,
            Map<String, String> refresherSettings) {
        return start(name, workers, sandboxArguments, refresherSettings, Map.of(), null);
    }

    /**
     * {@link #start(String, int, List, Map)} with settings for single apps on top of the shared ones.
     *
     * @param appSettings by app name: {@code scheduler}, {@code worker-1}, {@code worker-2}, ...
     */
    static RunningSystem start(String name, int workers, List<String> sandboxArguments,
            Map<String, String> refresherSettings, Map<String, Map<String, String>> appSettings) {
        return start(name, workers, sandboxArguments, refresherSettings, appSettings, null);
    }

    /**
     * {@link #start(String, int, List, Map)} with the scheduler and the workers reaching PostgreSQL through a local
     * proxy (e.g. a {@code BlackholeProxy}), so that a test can take the database away from them, and only from them.
     */
    static RunningSystem start(String name, int workers, List<String> sandboxArguments,
            Map<String, String> refresherSettings, Integer databaseProxyPort) {
        return start(name, workers, sandboxArguments, refresherSettings, Map.of(), databaseProxyPort);
    }

    private static RunningSystem start(String name, int workers, List<String> sandboxArguments,
            Map<String, String> refresherSettings, Map<String, Map<String, String>> appSettings,
            Integer databaseProxyPort) {
        RunningSystem system = new RunningSystem(name, sandboxArguments, refresherSettings, appSettings,
                databaseProxyPort);
        try {
            system.scheduler = system.track(AppProcess.start("scheduler", "scheduler.jar", name,
                    system.argumentsOf("scheduler"), system.schedulerPort));
            // The scheduler migrates the schema first; workers starting alongside would only wait for its lock.
            system.sandboxApp.awaitHealthy();
            system.scheduler.awaitHealthy();
            for (int i = 1; i <= workers; i++) {
                system.startWorker("worker-" + i);
            }
            system.workers.forEach(AppProcess::awaitHealthy);
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    /** One app's command line: the shared settings, then its own (a key given twice would be read as a list). */
    private List<String> argumentsOf(String app, Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>(refresherSettings);
        changedSettings.forEach((key, value) -> {
            if (value == null) {
                settings.remove(key);
            } else {
                settings.put(key, value);
            }
        });
        settings.putAll(appSettings.getOrDefault(app, Map.of()));
        settings.putAll(extra);
        List<String> arguments = new ArrayList<>();
        settings.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        return arguments;
    }

    private List<String> argumentsOf(String app) {
        return argumentsOf(app, Map.of());
    }

    /** The JDBC URL of this system's schema reached through a local proxy (e.g. a {@code BlackholeProxy}). */
    String jdbcUrlThrough(int proxyPort) {
        return TestServices.get().jdbcUrl(namespace, proxyPort);
    }

    /**
     * Starts one more worker, {@code worker-<n>}, with {@code settings} on top of the shared ones, and waits until it
     * is healthy: e.g. one that reaches PostgreSQL through a proxy ({@link #jdbcUrlThrough}), or one started while
     * another is frozen.
     */
    AppProcess addWorker(Map<String, String> settings) {
        AppProcess worker = startWorker("worker-" + (workers.size() + 1), settings);
        worker.awaitHealthy();
        return worker;
    }

    private AppProcess startWorker(String id) {
        return startWorker(id, Map.of());
    }

    private AppProcess startWorker(String id, Map<String, String> settings) {
        List<String> arguments = argumentsOf(id, settings);
        arguments.add("--refresher.worker.id=" + id);
        AppProcess worker = track(AppProcess.start(id, "worker.jar", name + "-" + apps.size(), arguments));
        workers.add(worker);
        return worker;
    }

    /**
     * Starts a new process in place of a dead worker, under the same worker id, without waiting for it: like a
     * supervisor restarting a crashed container while the rest of the system goes on.
     */
    AppProcess restartWorker(AppProcess dead) {
        if (dead.isAlive()) {
            throw new IllegalStateException(dead.name() + " is still running");
        }
        workers.remove(dead);
        return startWorker(dead.name());
    }

    /**
     * Stops the scheduler and every worker (SIGTERM, one after the other), changes the shared settings, and starts them
     * again with as many workers, waiting until all are healthy: a rolling change of configuration done the simple way,
     * e.g. a new encryption key.
     *
     * @param set settings to add or replace
     * @param removed settings to drop, e.g. an old key
     */
    void restartApps(Map<String, String> set, Collection<String> removed) {
        List<String> workerIds = workers.stream().map(AppProcess::name).toList();
        for (AppProcess worker : List.copyOf(workers)) {
            worker.stop();
        }
        scheduler.stop();
        workers.clear();
        changedSettings.putAll(set);
        removed.forEach(key -> changedSettings.put(key, null));
        scheduler = track(AppProcess.start("scheduler", "scheduler.jar", name + "-" + apps.size(), argumentsOf(
                "scheduler"), schedulerPort));
        scheduler.awaitHealthy();
        workerIds.forEach(this::startWorker);
        workers.forEach(AppProcess::awaitHealthy);
    }

    /** This system's own schema and queue prefix: no other test's connections or messages. */
    TestServices.Namespace namespace() {
        return namespace;
    }

    Sandbox sandbox() {
        return sandbox;
    }

    AppProcess scheduler() {
        return scheduler;
    }

    /** Where browsers reach the scheduler: its {@code refresher.connect.public-base-url}. */
    String schedulerBaseUrl() {
        return "http://127.0.0.1:" + schedulerPort;
    }

    List<AppProcess> workers() {
        return workers;
    }

    List<AppProcess> apps() {
        return apps;
    }

    /** Registers a minted connection through the scheduler's API, as a host app does after the OAuth2 consent. */
    JsonHttp.Response register(String tenantId, Sandbox.Minted minted, Instant obtainedAt) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("tenantId", tenantId);
        request.put("provider", PROVIDER);
        request.put("realmId", minted.realmId());
        request.put("accessToken", minted.accessToken());
        request.put("refreshToken", minted.refreshToken());
        request.put("expiresIn", minted.expiresIn());
        request.put("refreshTokenExpiresIn", minted.refreshTokenExpiresIn());
        request.put("obtainedAt", obtainedAt.toString());
        return JsonHttp.post(scheduler.url("/api/connections"), request);
    }

    UUID registerOrFail(String tenantId, Sandbox.Minted minted, Instant obtainedAt) {
        JsonHttp.Response response = register(tenantId, minted, obtainedAt);
        if (response.status() != 201) {
            throw new IllegalStateException("registration failed with " + response.status() + ": "
                    + response.body());
        }
        return UUID.fromString(response.body().get("id").asString());
    }

    /**
     * Registers every minted connection, {@code inFlight} registrations at a time, as a host app does after many
     * consents; answers the connection ids by realm id.
     */
    Map<String, UUID> registerAll(List<Sandbox.Minted> minted, String tenantPrefix, Instant obtainedAt, int inFlight) {
        Map<String, UUID> ids = new LinkedHashMap<>();
        try (ExecutorService registering = Executors.newFixedThreadPool(inFlight)) {
            List<Future<UUID>> registrations = new ArrayList<>();
            for (int i = 0; i < minted.size(); i++) {
                Sandbox.Minted m = minted.get(i);
                String tenant = tenantPrefix + i;
                registrations.add(registering.submit(() -> registerOrFail(tenant, m, obtainedAt)));
            }
            for (int i = 0; i < minted.size(); i++) {
                ids.put(minted.get(i).realmId(), registrations.get(i).get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering the connections", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("registering the connections failed", e);
        }
        return ids;
    }

    JsonNode connection(UUID id) {
        return JsonHttp.get(scheduler.url("/api/connections/" + id)).body();
    }

    /** The state of a worker's circuit breaker for the provider, from its health endpoint, e.g. {@code CLOSED}. */
    static String breakerState(AppProcess worker) {
        JsonNode health = JsonHttp.get(worker.url("/actuator/health")).body();
        return health.path("components").path("circuitBreakers").path("details").path(PROVIDER).path("details")
                .path("state").asString("UNKNOWN");
    }

    /** The dead letters the scheduler archived, as its API lists them. */
    JsonNode deadLetters(String query) {
        JsonHttp.Response response = JsonHttp.get(scheduler.url("/api/dead-letters" + (query.isEmpty()
                ? ""
                : "?" + query)));
        if (response.status() != 200) {
            throw new IllegalStateException("dead-letter listing failed with " + response.status() + ": "
                    + response.body());
        }
        return response.body().get("items");
    }

    /** How many dead letters the scheduler archived, by reason. */
    Map<String, Long> deadLetterCounts() {
        JsonHttp.Response response = JsonHttp.get(scheduler.url("/api/dead-letters/stats"));
        if (response.status() != 200) {
            throw new IllegalStateException("dead-letter stats failed with " + response.status() + ": "
                    + response.body());
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        response.body().properties().forEach(entry -> counts.put(entry.getKey(), entry.getValue().asLong()));
        return counts;
    }

    /**
     * One app's meter (a counter's count, a gauge's value), e.g. {@code refresher.handoff.applied} with the tag
     * {@code outcome:stored}, or with no tag at all; 0 when the app has not registered it.
     */
    static double meter(AppProcess app, String meter, String... tags) {
        StringBuilder path = new StringBuilder("/actuator/metrics/").append(meter);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        JsonHttp.Response response = JsonHttp.get(app.url(path.toString()));
        if (response.status() == 404) {
            return 0;
        }
        if (response.status() != 200) {
            throw new IllegalStateException(app.name() + " answered " + response.status() + " for " + path + ": "
                    + response.body());
        }
        return response.body().get("measurements").get(0).get("value").asDouble();
    }

    /** A counter of one worker's meter, e.g. {@code refresher.messages.dropped} with tag {@code reason:stale_fence}. */
    static double counter(AppProcess app, String meter, String tag) {
        JsonHttp.Response response = JsonHttp.get(app.url("/actuator/metrics/" + meter + "?tag=" + tag));
        if (response.status() == 404) {
            return 0;
        }
        return response.body().get("measurements").get(0).get("value").asDouble();
    }

    private AppProcess track(AppProcess app) {
        apps.add(app);
        return app;
    }

    @Override
    public void close() {
        for (AppProcess app : apps.reversed()) {
            app.close();
        }
        // queues and schema go now, not at the JVM's exit: a suite starts a dozen systems
        TestServices.get().release(namespace);
    }
}
