package io.streamwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's stages: configured without I/O, started in order, stopped in reverse, also when
 * starting fails.
 */
class StreamwatchServiceTest {
    @TempDir Path dir;

    private ServiceConfig config(Path storage, Path certFile, Path keyFile) {
        return ConfigLoader.load(
                        null,
                        Map.of(
                                "STREAMWATCH_SERVER_HOST",
                                "127.0.0.1",
                                "STREAMWATCH_SERVER_PORT",
                                "0",
                                "STREAMWATCH_STORAGE_DIR",
                                storage.toString(),
                                "STREAMWATCH_INGEST_TOKENS",
                                "t",
                                "STREAMWATCH_SERVER_TLS_CERT_FILE",
                                certFile.toString(),
                                "STREAMWATCH_SERVER_TLS_KEY_FILE",
                                keyFile.toString()))
                .config();
    }

    @Test
    void theStagesRunInOneOrder() {
        Path storage = dir.resolve("data");
        try (StreamwatchService s =
                new StreamwatchService(
                        ConfigLoader.load(
                                        null, Map.of("STREAMWATCH_STORAGE_DIR", storage.toString()))
                                .config(),
                        MutableClock.atSystemTime())) {
            assertEquals(
                    List.of(
                            "config", "store", "state", "ingest", "http", "notify", "rules",
                            "pollers"),
                    s.stageNames());
        }
    }

    @Test
    void constructingTouchesNoFileAndAFailedStartStopsWhatHadStarted() throws Exception {
        Path storage = dir.resolve("data");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        StreamwatchService service =
                new StreamwatchService(config(storage, cert, key), MutableClock.atSystemTime());
        assertFalse(
                Files.exists(storage), "the store is opened by start(), not by the constructor");
        assertEquals(null, service.alerts(), "rules start after http has bound its port");

        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        service::start,
                        "the TLS files are read when http starts");
        assertTrue(e.getMessage().contains("server.tls.certFile"), e.getMessage());
        assertTrue(Files.exists(storage), "the store had started");
        Store.open(storage).close(); // and was stopped: its directory lock is free again
        service.close();
    }
}
