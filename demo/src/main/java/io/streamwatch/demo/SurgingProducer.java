package io.streamwatch.demo;

import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends click events to the topic at the rate the {@link Timeline} gives for each moment, spread
 * evenly over the partitions, and says when the surge starts and ends.
 */
final class SurgingProducer implements AutoCloseable {
    private static final long TICK_MS = 20;

    private final Thread thread;
    private volatile boolean running = true;
    private volatile int currentRate;

    SurgingProducer(
            String bootstrapServers,
            String topic,
            int partitions,
            Timeline timeline,
            Console console) {
        thread =
                new Thread(
                        () -> run(bootstrapServers, topic, partitions, timeline, console),
                        "demo-producer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    int currentRate() {
        return currentRate;
    }

    private void run(
            String bootstrapServers,
            String topic,
            int partitions,
            Timeline timeline,
            Console console) {
        try (KafkaProducer<String, String> producer = producer(bootstrapServers)) {
            long start = System.nanoTime();
            double due = 0;
            double last = 0;
            long sent = 0;
            boolean surging = false;
            while (running) {
                double t = (System.nanoTime() - start) / 1e9;
                int rate = timeline.rateAt(t);
                currentRate = rate;
                if (timeline.inSurge(t) != surging) {
                    surging = !surging;
                    console.event(
                            surging
                                    ? "producer: SURGE, "
                                            + rate
                                            + " records/s for "
                                            + timeline.surgeSeconds()
                                            + " s (the app and the query each keep up with ~"
                                            + StreamingApp.capacityPerSecond()
                                            + "/s)"
                                    : "producer: surge over, back to " + rate + " records/s");
                }
                due += rate * (t - last);
                last = t;
                while (sent < (long) due) {
                    producer.send(
                            new ProducerRecord<>(topic, (int) (sent % partitions), null, click()));
                    sent++;
                }
                Thread.sleep(TICK_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (running) console.event("producer stopped: " + e);
        }
    }

    /**
     * Sends {@code records} clicks at once, spread over the partitions, and waits until the broker
     * has them: the warm-up before the timeline starts.
     */
    static void warmUp(String bootstrapServers, String topic, int partitions, int records) {
        try (KafkaProducer<String, String> producer = producer(bootstrapServers)) {
            for (int i = 0; i < records; i++)
                producer.send(new ProducerRecord<>(topic, i % partitions, null, click()));
            producer.flush();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamwatch-demo-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** One click event: a user, a page, the time. */
    private static String click() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "{\"user\":"
                + random.nextInt(10_000)
                + ",\"page\":\"/p/"
                + random.nextInt(100)
                + "\",\"ts\":"
                + System.currentTimeMillis()
                + "}";
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
