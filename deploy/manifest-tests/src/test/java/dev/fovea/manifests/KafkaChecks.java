package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Strimzi's Kafka and topics, the job settings of the gateway and the workers, and KEDA's Kafka trigger name the
 * same cluster, topics and consumer group.
 */
final class KafkaChecks {
    static final String STRIMZI = "kafka.strimzi.io/v1beta2";
    static final String CLUSTER_LABEL = "strimzi.io/cluster";

    private KafkaChecks() {
    }

    static List<String> check(Manifests m, JobsSettings jobs) {
        List<String> problems = new ArrayList<>();
        List<GenericKubernetesResource> clusters = m.custom(STRIMZI, "Kafka");
        if (clusters.size() != 1) {
            problems.add("expected one Strimzi Kafka, found " + clusters.size());
            return problems;
        }
        GenericKubernetesResource kafka = clusters.getFirst();
        String cluster = kafka.getMetadata().getName();
        Map<String, String> annotations = kafka.getMetadata().getAnnotations();
        if (annotations == null || !"enabled".equals(annotations.get("strimzi.io/kraft"))
                || !"enabled".equals(annotations.get("strimzi.io/node-pools"))) {
            problems.add("Kafka/" + cluster + ": KRaft with node pools needs strimzi.io/kraft and strimzi.io/node-pools"
                    + " set to enabled");
        }
        int brokers = 0;
        Set<Object> roles = new TreeSet<>();
        for (GenericKubernetesResource pool : m.custom(STRIMZI, "KafkaNodePool")) {
            if (!cluster.equals(label(pool))) {
                problems.add(Manifests.id(pool) + ": belongs to cluster " + label(pool) + ", not " + cluster);
                continue;
            }
            List<?> poolRoles = Generic.list(pool, "spec", "roles");
            roles.addAll(poolRoles);
            if (poolRoles.contains("broker")) {
                brokers += Objects.requireNonNullElse(Generic.integer(pool, "spec", "replicas"), 0);
            }
        }
        if (!roles.containsAll(List.of("controller", "broker"))) {
            problems.add("Kafka/" + cluster + ": node pools provide roles " + roles + ", KRaft needs controller and broker");
        }
        for (String factor : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "default.replication.factor", "min.insync.replicas")) {
            Integer v = Generic.integer(kafka, "spec", "kafka", "config", factor);
            if (v != null && v > brokers) {
                problems.add("Kafka/" + cluster + ": " + factor + "=" + v + " with " + brokers + " broker(s)");
            }
        }
        if (Generic.at(kafka, "spec", "entityOperator", "topicOperator") == null) {
            problems.add("Kafka/" + cluster + ": no topic operator, so the KafkaTopic resources would stay unapplied");
        }
        Integer plainPort = null;
        for (Object l : Generic.list(kafka, "spec", "kafka", "listeners")) {
            if (l instanceof Map<?, ?> listener && Boolean.FALSE.equals(listener.get("tls"))
                    && "internal".equals(listener.get("type"))) {
                plainPort = ((Number) listener.get("port")).intValue();
            }
        }
        String bootstrap = cluster + "-kafka-bootstrap:" + plainPort;
        if (plainPort == null) {
            problems.add("Kafka/" + cluster + ": no internal plain listener for the services");
        }

        Map<String, GenericKubernetesResource> topics = new TreeMap<>();
        for (GenericKubernetesResource t : m.custom(STRIMZI, "KafkaTopic")) {
            String name = Objects.requireNonNullElse(Generic.string(t, "spec", "topicName"), t.getMetadata().getName());
            topics.put(name, t);
            if (!cluster.equals(label(t))) {
                problems.add(Manifests.id(t) + ": label " + CLUSTER_LABEL + "=" + label(t) + " is not the Kafka " + cluster);
            }
            Integer replicas = Generic.integer(t, "spec", "replicas");
            if (replicas != null && replicas > brokers) {
                problems.add(Manifests.id(t) + ": " + replicas + " replicas with " + brokers + " broker(s)");
            }
        }
        if (!topics.keySet().equals(new TreeSet<>(jobs.topics()))) {
            problems.add("KafkaTopics " + topics.keySet() + " differ from the gateway's job and batch topics "
                    + jobs.topics());
        }
        for (String name : jobs.compactedTopics()) {
            GenericKubernetesResource t = topics.get(name);
            if (t != null && !"compact".equals(Generic.string(t, "spec", "config", "cleanup.policy"))) {
                problems.add(Manifests.id(t) + ": " + name + " is keyed state (results, cancellations, files, batches)"
                        + " and needs cleanup.policy compact");
            }
        }

        List<Workload> gatewayImage = Workload.all(m).stream().filter(w -> "gateway".equals(w.module())).toList();
        List<Workload> workers = gatewayImage.stream().filter(w -> "true".equals(w.env().get(JobsSettings.WORKER)))
                .toList();
        if (workers.isEmpty()) {
            problems.add("no Deployment runs the gateway image with " + JobsSettings.WORKER + "=true");
        }
        for (Workload w : gatewayImage) {
            Map<String, String> env = w.env();
            boolean worker = workers.contains(w);
            if (!worker && !"true".equals(env.get(JobsSettings.ENABLED))) {
                problems.add(w.where() + ": " + JobsSettings.ENABLED + " is not true: no job API on the gateway");
            }
            if (env.containsKey(JobsSettings.WORKER_ID)) {
                // every replica of the Deployment would share one transactional id and fence the others
                problems.add(w.where() + ": sets " + JobsSettings.WORKER_ID + " for all replicas; leave it to the"
                        + " pod's host name");
            }
            expect(problems, w, env, JobsSettings.BOOTSTRAP, bootstrap);
            for (var topic : new java.util.TreeMap<>(jobs.topicEnv()).entrySet()) {
                expect(problems, w, env, topic.getKey(), topic.getValue());
            }
            expect(problems, w, env, JobsSettings.GROUP, jobs.group());
            // whoever creates a topic first, gateway or Topic Operator, creates it the same
            for (GenericKubernetesResource t : topics.values()) {
                String partitions = String.valueOf(Generic.integer(t, "spec", "partitions"));
                if (!partitions.equals(env.get(JobsSettings.PARTITIONS))) {
                    problems.add(w.where() + ": " + JobsSettings.PARTITIONS + " is " + env.get(JobsSettings.PARTITIONS)
                            + " but " + Manifests.id(t) + " has " + partitions + " partitions");
                }
            }
            if (!worker && env.containsKey(JobsSettings.WORKER)) {
                problems.add(w.where() + ": the gateway sets " + JobsSettings.WORKER);
            }
        }

        for (GenericKubernetesResource so : m.custom(ScalingChecks.KEDA, "ScaledObject")) {
            String target = Generic.string(so, "spec", "scaleTargetRef", "name");
            if (workers.stream().noneMatch(w -> w.deployment().getMetadata().getName().equals(target))) {
                continue;
            }
            List<?> triggers = Generic.list(so, "spec", "triggers");
            boolean found = false;
            for (int i = 0; i < triggers.size(); i++) {
                if (!"kafka".equals(Generic.string(so, "spec", "triggers", i, "type"))) {
                    continue;
                }
                found = true;
                String where = Manifests.id(so) + " kafka trigger";
                same(problems, where, "bootstrapServers", Generic.string(so, "spec", "triggers", i, "metadata",
                        "bootstrapServers"), bootstrap);
                same(problems, where, "consumerGroup", Generic.string(so, "spec", "triggers", i, "metadata",
                        "consumerGroup"), jobs.group());
                same(problems, where, "topic", Generic.string(so, "spec", "triggers", i, "metadata", "topic"),
                        jobs.requestsTopic());
                GenericKubernetesResource requests = topics.get(jobs.requestsTopic());
                Integer partitions = requests == null ? null : Generic.integer(requests, "spec", "partitions");
                Integer max = Generic.integer(so, "spec", "maxReplicaCount");
                if (partitions != null && max != null && max > partitions && !"true".equals(
                        Generic.string(so, "spec", "triggers", i, "metadata", "allowIdleConsumers"))) {
                    problems.add(where + ": maxReplicaCount " + max + " above the " + partitions
                            + " partitions KEDA caps the workers at");
                }
            }
            if (!found) {
                problems.add(Manifests.id(so) + ": scales the job workers without a kafka trigger");
            }
        }
        return problems;
    }

    private static String label(GenericKubernetesResource r) {
        Map<String, String> labels = r.getMetadata().getLabels();
        return labels == null ? null : labels.get(CLUSTER_LABEL);
    }

    private static void expect(List<String> problems, Workload w, Map<String, String> env, String name, String value) {
        same(problems, w.where(), name, env.get(name), value);
    }

    private static void same(List<String> problems, String where, String what, String actual, String expected) {
        if (!Objects.equals(actual, expected)) {
            problems.add(where + ": " + what + " is " + actual + ", expected " + expected);
        }
    }
}
