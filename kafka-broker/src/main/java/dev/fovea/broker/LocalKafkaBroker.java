package dev.fovea.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one process) on loopback, for local
 * runs and tests: writes {@code server.properties} into its folder, formats the storage the first time, then runs
 * Kafka's own {@code kafka.Kafka} main until the process is told to stop (SIGTERM shuts it down cleanly).
 *
 * <pre>java -cp fovea-kafka-broker.jar:lib/* dev.fovea.broker.LocalKafkaBroker --dir D --port 9092 [--controller-port 9093]
 * [--host 127.0.0.1] [--partitions 4]</pre>
 * Restarting with the same folder keeps every topic, offset and transaction.
 */
public final class LocalKafkaBroker {
    private LocalKafkaBroker() {
    }

    public static void main(String[] args) throws IOException {
        BrokerOptions options = BrokerOptions.parse(args);
        Path dir = options.dir().toAbsolutePath();
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, serverProperties(options, data));
        if (!Files.exists(data.resolve("meta.properties"))) {
            int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                    "-c", properties.toString()}, System.out);
            if (rc != 0) {
                System.err.println("fovea-kafka-broker: formatting " + data + " failed (" + rc + ")");
                System.exit(2);
            }
        }
        System.out.println("fovea-kafka-broker: starting on " + options.host() + ":" + options.port() + ", data in "
                + data);
        kafka.Kafka.main(new String[] {properties.toString()});
    }

    /** A one-node cluster: every internal topic (offsets, transactions, share state) has one replica. */
    static String serverProperties(BrokerOptions o, Path data) {
        String host = o.host();
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + o.controllerPort(),
                "listeners=PLAINTEXT://" + host + ":" + o.port() + ",CONTROLLER://" + host + ":" + o.controllerPort(),
                "advertised.listeners=PLAINTEXT://" + host + ":" + o.port(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data.toString().replace('\\', '/'),
                "num.partitions=" + o.partitions(),
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=" + Math.max(1, o.partitions()),
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=" + Math.max(1, o.partitions()),
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // jobs may carry images as data URLs
                "message.max.bytes=" + (64 << 20),
                // compacted results topics clean up soon enough to be seen working locally
                "log.cleaner.min.compaction.lag.ms=0",
                "") + "\n";
    }

    record BrokerOptions(Path dir, String host, int port, int controllerPort, int partitions) {
        static BrokerOptions parse(String[] args) {
            Path dir = null;
            String host = "127.0.0.1";
            int port = 9092;
            int controllerPort = -1;
            int partitions = 4;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw usage("missing value after " + a);
                }
                String v = args[++i];
                switch (a.toLowerCase(Locale.ROOT)) {
                    case "--dir" -> dir = Path.of(v);
                    case "--host" -> host = v;
                    case "--port" -> port = Integer.parseInt(v);
                    case "--controller-port" -> controllerPort = Integer.parseInt(v);
                    case "--partitions" -> partitions = Integer.parseInt(v);
                    default -> throw usage("unknown option " + a);
                }
            }
            if (dir == null) {
                throw usage("--dir is required");
            }
            return new BrokerOptions(dir, host, port, controllerPort > 0 ? controllerPort : port + 1, partitions);
        }

        private static IllegalArgumentException usage(String why) {
            return new IllegalArgumentException(why + "; usage: LocalKafkaBroker --dir DIR [--port 9092] "
                    + "[--controller-port PORT+1] [--host 127.0.0.1] [--partitions 4]");
        }
    }
}
