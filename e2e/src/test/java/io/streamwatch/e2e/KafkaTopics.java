package io.streamwatch.e2e;

import io.streamwatch.testkit.Await;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Topics on the test broker, ready to produce to. */
final class KafkaTopics {
    private KafkaTopics() {}

    /**
     * Creates {@code topic} and waits until each of its partitions has a leader (until then a
     * producer's first records can fail).
     */
    static void create(String bootstrapServers, String topic, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++)
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            Await.result(
                    Duration.ofSeconds(30),
                    "the topic's partitions to have leaders",
                    () -> {
                        try {
                            return admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
        }
    }
}
