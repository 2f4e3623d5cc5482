-- CreateIndex
CREATE INDEX "BackorderLine_window_idx" ON "BackorderLine"("shop", "backorderedAt", "allocatedAt", "fulfilledAt", "cancelledAt", "state", "orderId", "variantId", "quantity", "orderedAt", "currency", "unitPrice");

-- CreateIndex
CREATE INDEX "BackorderLine_waiting_value_idx" ON "BackorderLine"("shop", "state", "variantId", "currency", "waitingQuantity", "unitPrice", "promisedShipDate");

