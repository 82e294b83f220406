package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.conf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerConfigTest {
    @TempDir Path dir;
    private final List<String> warnings = new ArrayList<>();

    private ListenerConfig load(String... keysAndValues) throws ConfigException {
        return ListenerConfig.fromSparkConf(conf(keysAndValues), warnings::add);
    }

    @Test
    void onlyTheUrlIsNeededAndEverythingElseHasDefaults() throws Exception {
        ListenerConfig c =
                load(ListenerConfig.URL, "http://monitor:9470/", "spark.app.id", "app-7");
        assertEquals("http://monitor:9470", c.url());
        assertNull(c.token());
        assertEquals("test-app", c.app(), "app key defaults to spark.app.name");
        assertEquals("app-7", c.fallbackAppId());
        assertEquals(200, c.flushIntervalMs());
        assertEquals(5000, c.heartbeatIntervalMs());
        assertEquals(10000, c.bufferSize());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void explicitValuesAreUsed() throws Exception {
        ListenerConfig c =
                load(
                        ListenerConfig.URL,
                        "https://m:1",
                        ListenerConfig.APP,
                        "orders",
                        ListenerConfig.FLUSH_INTERVAL_MS,
                        "50",
                        ListenerConfig.HEARTBEAT_INTERVAL_MS,
                        "1000",
                        ListenerConfig.BUFFER_SIZE,
                        "77",
                        ListenerConfig.TOKEN,
                        "t1");
        assertEquals("orders", c.app());
        assertEquals(50, c.flushIntervalMs());
        assertEquals(1000, c.heartbeatIntervalMs());
        assertEquals(77, c.bufferSize());
        assertEquals("t1", c.token());
    }

    @Test
    void tokenFileWinsOverTokenAndIsTrimmed() throws Exception {
        Path file = dir.resolve("token");
        Files.write(file, "  from-file-secret \n".getBytes(StandardCharsets.UTF_8));
        ListenerConfig c =
                load(
                        ListenerConfig.URL,
                        "http://m:1",
                        ListenerConfig.TOKEN,
                        "inline",
                        ListenerConfig.TOKEN_FILE,
                        file.toString());
        assertEquals("from-file-secret", c.token());
    }

    @Test
    void toStringNeverShowsTheToken() throws Exception {
        Path file = dir.resolve("token");
        Files.write(file, "file-secret-123".getBytes(StandardCharsets.UTF_8));
        ListenerConfig fromFile =
                load(ListenerConfig.URL, "http://m:1", ListenerConfig.TOKEN_FILE, file.toString());
        ListenerConfig inline =
                load(ListenerConfig.URL, "http://m:1", ListenerConfig.TOKEN, "inline-secret-456");
        assertFalse(fromFile.toString().contains("file-secret-123"), fromFile.toString());
        assertFalse(inline.toString().contains("inline-secret-456"), inline.toString());
        assertTrue(inline.toString().contains("token=<set>"), inline.toString());
    }

    @Test
    void badNumbersFallBackToDefaultsWithAWarningNamingKeyAndValue() throws Exception {
        ListenerConfig c =
                load(
                        ListenerConfig.URL,
                        "http://m:1",
                        ListenerConfig.FLUSH_INTERVAL_MS,
                        "fast",
                        ListenerConfig.HEARTBEAT_INTERVAL_MS,
                        "-5",
                        ListenerConfig.BUFFER_SIZE,
                        "0");
        assertEquals(200, c.flushIntervalMs());
        assertEquals(5000, c.heartbeatIntervalMs());
        assertEquals(10000, c.bufferSize());
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(
                warnings.get(0).contains(ListenerConfig.FLUSH_INTERVAL_MS)
                        && warnings.get(0).contains("'fast'"),
                warnings.get(0));
        assertTrue(
                warnings.get(1).contains(ListenerConfig.HEARTBEAT_INTERVAL_MS)
                        && warnings.get(1).contains("'-5'"),
                warnings.get(1));
        assertTrue(
                warnings.get(2).contains(ListenerConfig.BUFFER_SIZE)
                        && warnings.get(2).contains("'0'"),
                warnings.get(2));
    }

    @Test
    void missingUrlIsAWarningNotAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> load());
        assertFalse(e.isError());
        assertTrue(e.getMessage().contains(ListenerConfig.URL), e.getMessage());
    }

    @Test
    void unreadableTokenFileIsAnErrorNamingTheFile() {
        String missing = dir.resolve("no-such-token").toString();
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                load(
                                        ListenerConfig.URL,
                                        "http://m:1",
                                        ListenerConfig.TOKEN_FILE,
                                        missing));
        assertTrue(e.isError());
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void urlThatIsNotHttpIsAnError() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> load(ListenerConfig.URL, "monitor:9470"));
        assertTrue(e.isError());
        assertTrue(e.getMessage().contains("monitor:9470"), e.getMessage());
    }

    @Test
    void appKeyWithControlCharactersIsCleanedWithAWarning() throws Exception {
        ListenerConfig c = load(ListenerConfig.URL, "http://m:1", ListenerConfig.APP, "a\tb");
        assertEquals("a b", c.app());
        assertEquals(1, warnings.size());
    }
}
