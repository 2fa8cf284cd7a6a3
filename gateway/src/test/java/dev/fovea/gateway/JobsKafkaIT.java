package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing lost, nothing doubled: 1,000 jobs (a quarter of them sampled at temperature 0.8 without a seed) and 10
 * poison records go through a real KRaft broker and two worker processes, while the test SIGKILLs one worker and
 * starts it again, restarts the broker, and restarts the LLM service (a transient backend failure the workers must
 * retry). Every job must end with exactly one committed result, the greedy ones equal to the synchronous API's
 * answer, and the dead-letter topic must hold exactly the poison records, once each.
 */
@NeedsConformance
class JobsKafkaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int JOBS = 1000;
    private static final String REQUESTS = "it.jobs.requests";
    private static final String RESULTS = "it.jobs.results";
    private static final String DEAD = "it.jobs.dead-letter";

    private static KafkaBrokerProcess broker;
    private static ServiceProcess llm;
    private static ServiceProcess gateway;
    private static final ServiceProcess[] workers = new ServiceProcess[2];
    private static final int[] workerPorts = new int[2];
    private static int llmPort;
    private static Path pipelines;

    @BeforeAll
    static void start() throws IOException {
        broker = KafkaBrokerProcess.start("it-kafka");
        llmPort = ServiceProcess.freePort();
        llm = startLlm();
        pipelines = Path.of("target").toAbsolutePath().resolve("jobs-it-pipelines.yaml");
        Files.writeString(pipelines, "pipelines:\n  - model: llama-q8\n    llm: 127.0.0.1:" + llmPort + "\n");
        gateway = ServiceProcess.start("jobs-it-gateway", "gateway", jobProperties(false, null));
        for (int i = 0; i < workers.length; i++) {
            workerPorts[i] = ServiceProcess.freePort();
            workers[i] = startWorker(i);
        }
    }

    private static ServiceProcess startLlm() throws IOException {
        return ServiceProcess.start("jobs-it-llm", "llm-service",
                Map.of("fovea.llm.model", LlmServiceProcess.modelPath().toString()), llmPort);
    }

    private static ServiceProcess startWorker(int i) throws IOException {
        return ServiceProcess.start("jobs-it-worker-" + i, "gateway", jobProperties(true, "it-worker-" + i),
                workerPorts[i]);
    }

    private static Map<String, String> jobProperties(boolean worker, String workerId) {
        Map<String, String> p = new HashMap<>();
        p.put("fovea.gateway.pipelines", pipelines.toString());
        p.put("fovea.jobs.enabled", "true");
        p.put("fovea.jobs.bootstrap-servers", broker.bootstrap());
        p.put("fovea.jobs.requests-topic", REQUESTS);
        p.put("fovea.jobs.results-topic", RESULTS);
        p.put("fovea.jobs.dead-letter-topic", DEAD);
        p.put("fovea.jobs.worker.enabled", Boolean.toString(worker));
        p.put("fovea.jobs.worker.group", "it-workers");
        p.put("fovea.jobs.worker.max-in-flight", "8");
        p.put("fovea.jobs.worker.retry-initial-backoff", "200ms");
        p.put("fovea.jobs.worker.retry-max-backoff", "2s");
        p.put("fovea.jobs.worker.session-timeout", "10s");
        if (workerId != null) {
            p.put("fovea.jobs.worker.id", workerId);
        }
        return p;
    }

    @AfterAll
    static void stop() {
        for (ServiceProcess w : workers) {
            if (w != null) {
                w.close();
            }
        }
        if (gateway != null) {
            gateway.close();
        }
        if (llm != null) {
            llm.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyJobEndsWithExactlyOneResultThroughCrashesAndRestarts() throws Exception {
        // the answers the synchronous API gives, for a sample of the greedy jobs
        Map<Integer, String> expected = new HashMap<>();
        for (int i : new int[] {0, 1, 2, 500, 998}) { // greedy ones (i % 4 != 3)
            JsonNode r = post(gateway, "/v1/chat/completions", request(i).toString(), "application/json");
            expected.put(i, r.path("choices").path(0).path("message").path("content").asText());
        }

        // 1,000 jobs over HTTP, as four JSONL submissions
        List<String> ids = new ArrayList<>();
        for (int part = 0; part < 4; part++) {
            StringBuilder jsonl = new StringBuilder();
            for (int i = part * JOBS / 4; i < (part + 1) * JOBS / 4; i++) {
                ObjectNode job = JSON.createObjectNode();
                job.put("id", "job-" + i);
                job.put("client_ref", "ref-" + i);
                job.put("priority", i % 3);
                job.set("request", request(i));
                jsonl.append(job).append('\n');
                ids.add("job-" + i);
            }
            JsonNode accepted = post(gateway, "/v1/jobs?batch=it-" + part, jsonl.toString(), "application/jsonl");
            assertThat(accepted.path("count").asInt()).isEqualTo(JOBS / 4);
        }
        // poison, straight onto the topic as any producer could: undecodable, and decodable but invalid
        Map<String, byte[]> poison = new HashMap<>();
        poison.put("poison-0", "{not json".getBytes(StandardCharsets.UTF_8));
        poison.put("poison-1", new byte[] {0, 1, 2, (byte) 0xff, 42});
        poison.put("poison-2", "[1, 2, 3]".getBytes(StandardCharsets.UTF_8));
        poison.put("poison-3", "{\"id\":\"poison-3\"}".getBytes(StandardCharsets.UTF_8));
        poison.put("poison-4", job("poison-4", "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}"));
        poison.put("poison-5", job("poison-5", "{\"model\":\"llama-q8\",\"messages\":[]}"));
        poison.put("poison-6", job("poison-6", "{\"model\":\"llama-q8\",\"temperature\":7,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}"));
        poison.put("poison-7", job("poison-7", "{\"model\":\"llama-q8\",\"max_tokens\":0,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}"));
        poison.put("poison-8", job("poison-8", "{\"model\":\"llama-q8\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}]}"));
        poison.put("poison-9", "{\"id\":\"poison-9\",\"request\":{\"model\":\"llama-q8\"}}".getBytes(StandardCharsets.UTF_8));
        produce(poison, "poison-1");

        // watch the committed results; crash a worker, restart the broker and the LLM service on the way
        Map<String, List<String>> results = new HashMap<>();
        Set<String> all = new HashSet<>(ids);
        all.addAll(poison.keySet());
        boolean killed = false;
        boolean brokerRestarted = false;
        boolean llmRestarted = false;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(12);
        try (KafkaConsumer<String, byte[]> consumer = committedReader(RESULTS)) {
            while (!results.keySet().containsAll(all)) {
                assertThat(System.nanoTime()).as("all results within 12 minutes; have %d of %d", results.size(),
                        all.size()).isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    results.computeIfAbsent(r.key(), k -> new ArrayList<>())
                            .add(new String(r.value(), StandardCharsets.UTF_8));
                }
                if (!killed && results.size() >= 200) {
                    workers[0].kill();
                    workers[0] = startWorker(0);
                    killed = true;
                }
                if (!brokerRestarted && results.size() >= 450) {
                    broker.restart();
                    brokerRestarted = true;
                }
                if (!llmRestarted && results.size() >= 700) {
                    llm.close();
                    Thread.sleep(2000);
                    llm = startLlm();
                    llmRestarted = true;
                }
            }
            // anything late (a duplicate) would arrive now
            for (int i = 0; i < 6; i++) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    results.computeIfAbsent(r.key(), k -> new ArrayList<>())
                            .add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(killed && brokerRestarted && llmRestarted).isTrue();
        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(all);
        results.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));

        for (String id : ids) {
            JsonNode r = JSON.readTree(results.get(id).get(0));
            int i = Integer.parseInt(id.substring("job-".length()));
            assertThat(r.path("state").asText()).as(id).isEqualTo("succeeded");
            assertThat(r.path("client_ref").asText()).isEqualTo("ref-" + i);
            assertThat(r.path("batch").asText()).isEqualTo("it-" + (i / (JOBS / 4)));
            assertThat(r.path("response").path("usage").path("completion_tokens").asInt()).isBetween(1, 4);
            if (expected.containsKey(i)) {
                assertThat(r.path("response").path("choices").path(0).path("message").path("content").asText())
                        .as("job %d equals the synchronous answer", i).isEqualTo(expected.get(i));
            }
        }
        for (String id : poison.keySet()) {
            JsonNode r = JSON.readTree(results.get(id).get(0));
            assertThat(r.path("state").asText()).as(id).isEqualTo("rejected");
            assertThat(r.path("error").path("message").asText()).isNotBlank();
        }

        // the dead-letter topic: exactly the poison records, once each, original bytes, reason in headers
        Map<String, List<ConsumerRecord<String, byte[]>>> dead = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = committedReader(DEAD)) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    dead.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        assertThat(dead.keySet()).containsExactlyInAnyOrderElementsOf(poison.keySet());
        dead.forEach((key, list) -> {
            assertThat(list).as("dead letters of %s", key).hasSize(1);
            assertThat(list.get(0).value()).isEqualTo(poison.get(key));
            Header reason = list.get(0).headers().lastHeader("fovea.dlq.reason");
            assertThat(reason).as("reason header of %s", key).isNotNull();
            assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
        });

        // the API reads the same results, by id and by batch
        JsonNode one = get(gateway, "/v1/jobs/job-7");
        assertThat(one.path("state").asText()).isEqualTo("succeeded");
        JsonNode batch = get(gateway, "/v1/jobs?batch=it-2");
        assertThat(batch.path("completed").asInt()).isEqualTo(JOBS / 4);
        assertThat(batch.path("submitted").asInt()).isEqualTo(JOBS / 4);

        // and the workers' meters saw it: dead letters, retries across the LLM restart, lag back to zero
        String metrics = text(workers[1], "/q/metrics") + text(workers[0], "/q/metrics");
        assertThat(metrics).contains("fovea_jobs_dead_letters_total", "fovea_jobs_consumer_lag",
                "fovea_jobs_in_flight", "fovea_jobs_latency_seconds_count");
        assertThat(sum(metrics, "fovea_jobs_retries_total")).as("retries across the LLM restart").isGreaterThan(0);
    }

    /** A chat request: three in four greedy, the rest sampled without a seed (the worker derives one per job). */
    private static ObjectNode request(int i) {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", "llama-q8");
        ObjectNode m = r.putArray("messages").addObject();
        m.put("role", "user");
        m.put("content", "Job number " + i + ": write about the number " + (i * 7 % 100));
        r.put("max_tokens", 1 + i % 4);
        r.put("temperature", i % 4 == 3 ? 0.8 : 0.0);
        return r;
    }

    private static byte[] job(String id, String request) {
        return ("{\"id\":\"" + id + "\",\"request\":" + request + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static void produce(Map<String, byte[]> records, String protobufKey) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> e : records.entrySet()) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(REQUESTS, e.getKey(), e.getValue());
                if (e.getKey().equals(protobufKey)) {
                    r.headers().add("content-type", "application/x-protobuf".getBytes(StandardCharsets.UTF_8));
                }
                producer.send(r).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static KafkaConsumer<String, byte[]> committedReader(String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return consumer;
    }

    private static JsonNode post(ServiceProcess s, String path, String body, String type) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + s.address() + path))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isBetween(200, 202);
        return JSON.readTree(r.body());
    }

    private static JsonNode get(ServiceProcess s, String path) throws Exception {
        return JSON.readTree(text(s, path));
    }

    private static String text(ServiceProcess s, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + s.address() + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private static double sum(String prometheus, String name) {
        double total = 0;
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
