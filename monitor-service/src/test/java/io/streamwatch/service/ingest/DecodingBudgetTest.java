package io.streamwatch.service.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DecodingBudgetTest {
    @Test
    void aRequestThatWouldCrossTheCapIsRefusedWith503AndRetryAfterAndHoldsNothing() {
        DecodingBudget budget = new DecodingBudget(3000, 1000);
        DecodingBudget.Lease a = budget.lease();
        DecodingBudget.Lease b = budget.lease();
        a.take(2000);
        b.take(500);
        RejectedException e = assertThrows(RejectedException.class, () -> b.take(501));
        assertEquals(503, e.status());
        assertEquals(1, e.retryAfterSeconds());
        assertTrue(e.getMessage().contains("ingest.maxDecodingBytes"), e.getMessage());
        assertEquals(2500, budget.inUse(), "the refused bytes are not held");
        b.close();
        a.close();
        assertEquals(0, budget.inUse(), "closing gives everything back");
        budget.lease().take(3000);
    }

    @Test
    void oneBodyAtTheSizeLimitAlwaysFits() {
        DecodingBudget budget = new DecodingBudget(10, 4096);
        try (DecodingBudget.Lease l = budget.lease()) {
            l.take(4096);
        }
        assertEquals(0, budget.inUse());
    }
}
