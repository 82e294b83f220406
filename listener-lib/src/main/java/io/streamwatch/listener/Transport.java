package io.streamwatch.listener;

import java.io.IOException;

/** Sends one gzip-compressed envelope to the service. */
interface Transport {

  /**
   * Posts the body and returns the service's answer.
   *
   * @throws IOException when the service could not be reached or did not answer in time
   */
  Response post(byte[] gzippedJson) throws IOException;

  /** Where requests go, for log messages. */
  String describe();

  /** Status and (possibly cut) body of one answer. */
  final class Response {
    private final int status;
    private final String body;

    Response(int status, String body) {
      this.status = status;
      this.body = body;
    }

    int status() {
      return status;
    }

    String body() {
      return body;
    }
  }
}
