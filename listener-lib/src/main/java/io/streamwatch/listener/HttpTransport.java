package io.streamwatch.listener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * {@link Transport} over the JDK's {@link HttpURLConnection}. Every response stream is read to
 * the end and closed so the JDK can keep the connection alive.
 */
final class HttpTransport implements Transport {
  static final String PATH = "/api/v1/events";
  private static final int MAX_BODY_CHARS = 4096;

  private final URL endpoint;
  private final String token;
  private final int connectTimeoutMs;
  private final int readTimeoutMs;

  HttpTransport(String baseUrl, String token, int connectTimeoutMs, int readTimeoutMs)
      throws IOException {
    this.endpoint = new URL(baseUrl + PATH);
    this.token = token;
    this.connectTimeoutMs = connectTimeoutMs;
    this.readTimeoutMs = readTimeoutMs;
  }

  @Override
  public Response post(byte[] gzippedJson) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) endpoint.openConnection();
    try {
      connection.setConnectTimeout(connectTimeoutMs);
      connection.setReadTimeout(readTimeoutMs);
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setUseCaches(false);
      connection.setInstanceFollowRedirects(false);
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setRequestProperty("Content-Encoding", "gzip");
      connection.setRequestProperty("Accept", "application/json");
      if (token != null) {
        connection.setRequestProperty("Authorization", "Bearer " + token);
      }
      // No fixed-length streaming mode: with it the JDK discards the body of a 401 answer,
      // which is the service's explanation. Bodies are small (at most a few hundred kB).
      OutputStream out = connection.getOutputStream();
      try {
        out.write(gzippedJson);
      } finally {
        out.close();
      }
      int status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      return new Response(status, readFully(in));
    } catch (IOException e) {
      try {
        readFully(connection.getErrorStream());
      } catch (IOException | RuntimeException ignored) {
        // the connection is broken anyway
      }
      throw e;
    }
  }

  @Override
  public String describe() {
    return ListenerConfig.redactUserInfo(endpoint.toString());
  }

  private static String readFully(InputStream in) throws IOException {
    if (in == null) {
      return "";
    }
    try {
      ByteArrayOutputStream kept = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        int room = MAX_BODY_CHARS - kept.size();
        if (room > 0) {
          kept.write(buffer, 0, Math.min(room, n));
        }
      }
      return new String(kept.toByteArray(), StandardCharsets.UTF_8);
    } finally {
      in.close();
    }
  }
}
