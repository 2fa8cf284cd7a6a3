# One Fovea service's image, built from its Quarkus fast-jar: the build context is <module>/target/quarkus-app.
# build-images.sh passes SERVICE and PORT per service; BASE is the JRE 25 image build-base.sh makes locally.
ARG BASE=fovea/jre25-base:local
FROM ${BASE}
ARG SERVICE
ARG PORT
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fovea-${SERVICE}" \
      org.opencontainers.image.description="Fovea ${SERVICE}: Quarkus fast-jar on a jlink'd JRE 25" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# The health probe's port when the run does not set QUARKUS_HTTP_PORT.
ENV FOVEA_SERVICE_PORT=${PORT}

# Dependencies first: they change less often than the application code, so their layers stay cached.
# Root-owned and not writable by the service user.
COPY lib/ /deployments/lib/
COPY quarkus/ /deployments/quarkus/
COPY app/ /deployments/app/
COPY quarkus-run.jar /deployments/quarkus-run.jar

USER 10001:10001
WORKDIR /deployments
EXPOSE ${PORT}
# GGUF models are mounted here (read-only is enough: the engine memory-maps them).
VOLUME ["/models"]

# No shell or curl in the base: a small JVM (class data sharing, C1 only, no perf-data file in /tmp) runs the probe.
HEALTHCHECK --interval=15s --timeout=10s --start-period=120s --retries=3 \
    CMD ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-XX:-UsePerfData", \
         "-cp", "/opt/fovea/health", "HealthProbe"]

# Tunable JVM flags: JDK_JAVA_OPTIONS is read by the java launcher itself (no shell needed) and placed before the
# entrypoint's flags, so a deployment replaces this default by setting the variable. Model weights are
# memory-mapped files outside the heap; the heap holds the KV and prefix caches.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75"

# Fixed flags: the Vector API and FFM memory mapping need the first two; a JVM out of heap exits so that the
# container restarts instead of limping on; no display in a container.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", "-jar", "/deployments/quarkus-run.jar"]
