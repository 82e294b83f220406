package io.streamwatch.service.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A network written {@code address/prefix} ({@code 10.0.0.0/8}, {@code fc00::/7}); a bare address
 * is the network of that one address. Parsing never asks DNS: only numeric addresses are accepted.
 */
public record Cidr(byte[] network, int prefix, String text) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * @throws IllegalArgumentException naming what is wrong with {@code s}
     */
    public static Cidr parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr, s);
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bytes.length * 8)
                throw new IllegalArgumentException(
                        "'" + s + "': the prefix must be 0.." + bytes.length * 8);
        }
        return new Cidr(bytes, prefix, t);
    }

    /** Every entry of a comma-separated list. */
    public static List<Cidr> parseList(String list) {
        List<Cidr> out = new ArrayList<>();
        for (String part : list.split(",")) if (!part.isBlank()) out.add(parse(part));
        return List.copyOf(out);
    }

    private static byte[] literal(String addr, String whole) {
        if (!IPV4.matcher(addr).matches() && !addr.contains(":"))
            throw new IllegalArgumentException(
                    "'" + whole + "' is not a network; write e.g. 10.0.0.0/8 or fc00::/7");
        try {
            return InetAddress.getByName(addr).getAddress(); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "'" + whole + "' is not a network; write e.g. 10.0.0.0/8 or fc00::/7");
        }
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != network.length) return false;
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
