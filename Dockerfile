# syntax=docker/dockerfile:1
# One image recipe for every app of token-refresher; pick the app with --build-arg MODULE=scheduler|worker|sandbox:
#   docker build --build-arg MODULE=worker -t token-refresher/worker .
# docker-compose.yml builds all three from here.

# --- 1. build the module's executable jar with the project's Maven wrapper -------------------------------------------
FROM eclipse-temurin:25-jdk AS build
ARG MODULE
WORKDIR /src
# the wrapper and the poms first, so that the dependency download is cached until a pom changes
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY common/pom.xml common/
COPY sandbox/pom.xml sandbox/
COPY scheduler/pom.xml scheduler/
COPY worker/pom.xml worker/
COPY cli/pom.xml cli/
COPY bench/pom.xml bench/
COPY system-tests/pom.xml system-tests/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -pl ${MODULE} -am dependency:go-offline -DskipTests || true
COPY .config/ .config/
COPY common/src/ common/src/
COPY sandbox/src/ sandbox/src/
COPY scheduler/src/ scheduler/src/
COPY worker/src/ worker/src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -pl ${MODULE} -am package -DskipTests -Dspotless.check.skip=true \
    && cp ${MODULE}/target/${MODULE}-*-exec.jar /app.jar

# --- 2. split the jar into layers (dependencies change rarely, the application often) ---------------------------------
FROM eclipse-temurin:25-jre AS layers
WORKDIR /layers
COPY --from=build /app.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

# --- 3. the runtime image: JRE, curl for the health check, a non-root user ----------------------------------------
FROM eclipse-temurin:25-jre
ARG MODULE
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 refresher && useradd --system --uid 10001 --gid refresher --home /app refresher
WORKDIR /app
COPY --from=layers /layers/extracted/dependencies/ ./
COPY --from=layers /layers/extracted/spring-boot-loader/ ./
COPY --from=layers /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers /layers/extracted/application/ ./
USER 10001:10001
ENV MODULE=${MODULE} \
    # size the heap from the container's memory limit, not the host's; exit on OOM so the orchestrator restarts it
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC"
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=6 \
    CMD curl -fs "http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health" || exit 1
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
