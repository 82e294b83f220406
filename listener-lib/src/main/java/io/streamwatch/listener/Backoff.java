package io.streamwatch.listener;

import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with full jitter: attempt {@code n} waits a uniformly random time in
 * {@code [0, min(cap, base * 2^n))}.
 */
final class Backoff {
  private final long baseMs;
  private final long capMs;
  private final DoubleSupplier random;

  Backoff(long baseMs, long capMs, DoubleSupplier random) {
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = random;
  }

  long delayMs(int attempt) {
    int shift = Math.max(0, Math.min(attempt, 30));
    long ceiling = Math.min(capMs, baseMs << shift);
    return (long) (random.getAsDouble() * ceiling);
  }
}
