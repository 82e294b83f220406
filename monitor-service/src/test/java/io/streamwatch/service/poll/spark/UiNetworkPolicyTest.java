package io.streamwatch.service.poll.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.config.Cidr;
import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.service.config.ServiceConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rule alone. Addresses are built from bytes ({@link InetAddress#getByAddress}), never looked
 * up and never connected to: {@link UiNetworkPolicy#check} only compares them.
 */
class UiNetworkPolicyTest {
    private static final UiNetworkPolicy LOOPBACK_ONE =
            new UiNetworkPolicy(Cidr.parseList("127.0.0.1/32"));
    private static final UiNetworkPolicy DEFAULT =
            new UiNetworkPolicy(Cidr.parseList(ServiceConfig.Spark.PRIVATE_NETWORKS));
    private static final UiNetworkPolicy EVERYTHING =
            new UiNetworkPolicy(Cidr.parseList("0.0.0.0/0,::/0"));

    /** Bytes as hex, 4 (IPv4) or 16 (IPv6): no text an InetAddress could resolve. */
    private static InetAddress address(String hex) throws UnknownHostException {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++)
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        return InetAddress.getByAddress(b);
    }

    private static UiNetworkPolicy policy(String name) {
        return switch (name) {
            case "loopback-one" -> LOOPBACK_ONE;
            case "default" -> DEFAULT;
            case "everything" -> EVERYTHING;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} {1} trusted={2} under {3}: {4}")
    @CsvSource({
        // what                 address (hex)                      trusted policy        verdict
        "loopback allowed,      7f000001,                          false, loopback-one, polled",
        "other loopback,        7f000003,                          false, loopback-one, outside spark.allowedUiNetworks [127.0.0.1/32]",
        "other loopback static, 7f000003,                          true,  loopback-one, polled",
        "private 10/8,          0a000007,                          false, default,      polled",
        "private 172.16/12,     ac1f0001,                          false, default,      polled",
        "172.32 is public,      ac200001,                          false, default,      outside spark.allowedUiNetworks",
        "private 192.168/16,    c0a80101,                          false, default,      polled",
        "public IPv4,           08080808,                          false, default,      outside spark.allowedUiNetworks",
        "IPv6 loopback,         00000000000000000000000000000001,  false, default,      polled",
        "IPv6 unique local,     fd000000000000000000000000000001,  false, default,      polled",
        "link-local,            a9fe0001,                          false, everything,   link-local or a cloud metadata address",
        "link-local static,     a9fe0001,                          true,  everything,   link-local or a cloud metadata address",
        "metadata IPv4,         a9fea9fe,                          true,  everything,   link-local or a cloud metadata address",
        "metadata IPv4-mapped,  00000000000000000000ffffa9fea9fe,  true,  everything,   link-local or a cloud metadata address",
        "metadata NAT64,        0064ff9b0000000000000000a9fea9fe,  true,  everything,   link-local or a cloud metadata address",
        "metadata AWS IPv6,     fd000ec2000000000000000000000254,  true,  everything,   link-local or a cloud metadata address",
        "IPv6 link-local,       fe800000000000000000000000000001,  true,  everything,   link-local or a cloud metadata address",
        "IPv6 link-local febf,  febf0000000000000000000000000001,  false, everything,   link-local or a cloud metadata address",
        "unspecified IPv4,      00000000,                          true,  everything,   the unspecified address",
        "unspecified IPv6,      00000000000000000000000000000000,  true,  everything,   the unspecified address",
    })
    void decides(String what, String hex, boolean trusted, String policy, String verdict)
            throws UnknownHostException {
        InetAddress a = address(hex);
        UiNetworkPolicy.Decision d = policy(policy).check(a.getHostAddress(), a, trusted);
        if (verdict.equals("polled")) {
            assertNull(d.refused(), what);
            assertEquals(a, d.address(), "the address checked is the one connected to");
        } else {
            assertNull(d.address(), what + ": nothing to connect to");
            assertTrue(d.refused().contains(verdict), what + ": " + d.refused());
        }
    }

    @ParameterizedTest
    @CsvSource({"metadata.google.internal", "METADATA.google.internal", "metadata"})
    void metadataHostNamesAreNeverPolledWhateverTheyResolveTo(String host)
            throws UnknownHostException {
        UiNetworkPolicy.Decision d = EVERYTHING.check(host, address("7f000001"), true);
        assertTrue(d.refused().contains("cloud metadata service"), d.refused());
        assertNull(d.address());
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.3, ui host 127.0.0.3 is outside spark.allowedUiNetworks [127.0.0.1/32]"})
    void theReasonNamesTheHostAndTheList(String literal, String reason) throws Exception {
        assertEquals(reason, LOOPBACK_ONE.decide("http://" + literal + ":4040", false).refused());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/33 | the prefix must be 0..32",
                "fc00::/129 | the prefix must be 0..128",
                "10.0.0.0/x | the prefix must be 0..32",
                "localhost | is not a network",
                "example.com/8 | is not a network",
                "10.0.0/8 | is not a network",
            })
    void badNetworksAreNamed(String text, String problem) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aBadNetworkInTheConfigurationIsNamedAtStart() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ConfigLoader.load(
                                        null,
                                        Map.of(
                                                "STREAMWATCH_SPARK_ALLOWED_UI_NETWORKS",
                                                "127.0.0.1/32,10.0.0.0/33")));
        assertEquals(
                List.of(
                        "spark.allowedUiNetworks (env STREAMWATCH_SPARK_ALLOWED_UI_NETWORKS): '10.0.0.0/33': the prefix must be 0..32"),
                e.problems());
    }

    @org.junit.jupiter.api.Test
    void theDefaultIsLoopbackAndThePrivateRanges() {
        assertEquals(
                ServiceConfig.Spark.PRIVATE_NETWORKS,
                ConfigLoader.load(null, Map.of()).config().spark().allowedUiNetworks());
    }

    @org.junit.jupiter.api.Test
    void theClientResolvesOnlyThePinnedHostAndOnlyToTheAddressChecked() throws Exception {
        InetAddress checked = address("7f000001");
        SparkRestClient.PinnedDns dns = new SparkRestClient.PinnedDns();
        dns.pin(LOOPBACK_ONE.check("driver.test", checked, false));
        assertEquals(List.of(checked), dns.lookup("driver.test"));
        assertThrows(UnknownHostException.class, () -> dns.lookup("another.test"));
        dns.pin(LOOPBACK_ONE.check("driver.test", address("7f000003"), false));
        assertThrows(
                UnknownHostException.class,
                () -> dns.lookup("driver.test"),
                "a refused host resolves to nothing");
    }
}
