package io.streamwatch.service.poll.spark;

import io.streamwatch.service.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Which Spark UIs the poller may contact. A UI a listener reports is polled only when its host's
 * address is in {@code spark.allowedUiNetworks}; a static {@code spark.targets} URL is the
 * operator's own and trusted. Link-local and cloud metadata addresses, and the unspecified address,
 * are never contacted, whatever the configuration says. The host name is resolved here once; the
 * caller connects to the address checked (no second lookup, so DNS cannot swap it afterwards).
 */
final class UiNetworkPolicy {
    /** Link-local (IPv4, IPv6), the AWS IPv6 metadata address, metadata behind NAT64. */
    private static final List<Cidr> NEVER =
            Cidr.parseList("169.254.0.0/16,fe80::/10,fd00:ec2::254/128,64:ff9b::a9fe:0/112");

    private static final Set<String> METADATA_HOSTS =
            Set.of("metadata.google.internal", "metadata.google.internal.", "metadata");

    private final List<Cidr> allowed;

    UiNetworkPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Where to connect for a UI, or (address null) why it is not polled. */
    record Decision(String host, InetAddress address, String refused) {
        static Decision refuse(String host, String why) {
            return new Decision(host, null, why);
        }
    }

    /**
     * Resolves the UI's host once and checks the address.
     *
     * @throws UnknownHostException when the host does not resolve (the driver is unreachable, not
     *     refused)
     */
    Decision decide(String ui, boolean trusted) throws UnknownHostException {
        String host = host(ui);
        if (host == null) return Decision.refuse(null, "ui url '" + ui + "' has no host");
        if (metadataName(host)) return metadata(host); // not even looked up
        return check(host, InetAddress.getByName(host), trusted);
    }

    private static boolean metadataName(String host) {
        return METADATA_HOSTS.contains(host.toLowerCase(Locale.ROOT));
    }

    private static Decision metadata(String host) {
        return Decision.refuse(
                host, "ui host " + host + " is a cloud metadata service, never polled");
    }

    /** The pure rule: {@code host} resolved to {@code a}. Never contacts anything. */
    Decision check(String host, InetAddress a, boolean trusted) {
        if (metadataName(host)) return metadata(host);
        String shown =
                host.equals(a.getHostAddress())
                        ? a.getHostAddress()
                        : host + " (" + a.getHostAddress() + ")";
        if (a.isAnyLocalAddress())
            return Decision.refuse(
                    host, "ui host " + shown + " is the unspecified address, never polled");
        for (Cidr c : NEVER) {
            if (c.contains(a))
                return Decision.refuse(
                        host,
                        "ui host "
                                + shown
                                + " is link-local or a cloud metadata address, never polled");
        }
        if (trusted) return new Decision(host, a, null);
        for (Cidr c : allowed) if (c.contains(a)) return new Decision(host, a, null);
        return Decision.refuse(
                host, "ui host " + shown + " is outside spark.allowedUiNetworks " + allowed);
    }

    /** The host as OkHttp, which makes the requests, reads it (IPv6 without brackets). */
    private static String host(String ui) {
        HttpUrl url = HttpUrl.parse(ui);
        return url == null ? null : url.host();
    }
}
