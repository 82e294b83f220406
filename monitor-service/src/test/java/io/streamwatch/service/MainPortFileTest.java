package io.streamwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --port-file}: the port alone, replacing what was there, no temporary file left behind. */
class MainPortFileTest {
    @Test
    void writesThePortAloneAndReplacesAnOldFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("service.port");
        Files.writeString(file, "1234\n");
        Main.writePortFile(file, 45678);
        assertEquals("45678\n", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the port file");
        }
        assertFalse(Files.exists(dir.resolve("service.port.tmp")));
    }
}
