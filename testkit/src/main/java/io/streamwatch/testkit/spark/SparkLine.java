package io.streamwatch.testkit.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One supported Spark line: its version, Scala line, and the classpath its {@code compat/} module
 * resolved at build time ({@code compat/spark-ID/target/classpath.txt}). Loads no Spark class.
 *
 * @param id the module suffix, e.g. {@code 3.5_2.12}
 * @param sparkVersion the exact Spark version the module resolves
 * @param scalaBinary {@code 2.12} or {@code 2.13}
 * @param kafkaSource whether spark-sql-kafka-0-10 is on its classpath
 */
public record SparkLine(String id, String sparkVersion, String scalaBinary, boolean kafkaSource) {
    public static final SparkLine SPARK_3_4_SCALA_2_12 =
            new SparkLine("3.4_2.12", "3.4.4", "2.12", false);
    public static final SparkLine SPARK_3_4_SCALA_2_13 =
            new SparkLine("3.4_2.13", "3.4.3", "2.13", false);
    public static final SparkLine SPARK_3_5_SCALA_2_12 =
            new SparkLine("3.5_2.12", "3.5.3", "2.12", true);
    public static final SparkLine SPARK_3_5_SCALA_2_13 =
            new SparkLine("3.5_2.13", "3.5.3", "2.13", false);
    public static final SparkLine SPARK_4_0 = new SparkLine("4.0_2.13", "4.0.1", "2.13", false);
    public static final SparkLine SPARK_4_1 = new SparkLine("4.1_2.13", "4.1.0", "2.13", false);
    public static final SparkLine SPARK_4_2 = new SparkLine("4.2_2.13", "4.2.0", "2.13", true);

    /** Every line the listener supports, oldest first. */
    public static final List<SparkLine> ALL =
            List.of(
                    SPARK_3_4_SCALA_2_12,
                    SPARK_3_4_SCALA_2_13,
                    SPARK_3_5_SCALA_2_12,
                    SPARK_3_5_SCALA_2_13,
                    SPARK_4_0,
                    SPARK_4_1,
                    SPARK_4_2);

    /**
     * Its resolved classpath: {@code compat/spark-ID/target/classpath.txt} under the {@code
     * streamwatch.compat.dir} system property, else {@code compat/} or {@code ../compat/}.
     */
    public String classpath() {
        String property = System.getProperty("streamwatch.compat.dir");
        List<Path> roots =
                property != null
                        ? List.of(Path.of(property))
                        : List.of(Path.of("compat"), Path.of("../compat"));
        for (Path root : roots) {
            Path file = root.resolve("spark-" + id).resolve("target").resolve("classpath.txt");
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readString(file).trim();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException(
                "the classpath of Spark "
                        + id
                        + " is not resolved ("
                        + roots.get(0)
                                .resolve("spark-" + id + "/target/classpath.txt")
                                .toAbsolutePath()
                        + " is missing): mvn -pl compat/spark-"
                        + id
                        + " generate-resources (./run-tests.sh builds it)");
    }

    @Override
    public String toString() {
        return "Spark " + sparkVersion + " (Scala " + scalaBinary + ")";
    }
}
