// The mandatory compliance topics. ComplianceRequest.topic (a String column) holds the first
// two; shop/redact erases the shop's data, its own inbox row last.
import type { Topic } from "../shopify/webhook-payloads.ts";

export const COMPLIANCE_TOPIC = {
  dataRequest: "customers/data_request",
  customerRedact: "customers/redact",
  shopRedact: "shop/redact",
} as const satisfies Record<string, Topic>;
