// Every webhook topic (shopify.app.toml) is delivered here.
import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server.ts";
import { db } from "../db/client.server.ts";
import { receiveWebhook } from "../jobs/receive-webhook.server.ts";
import { wakeWorker } from "../jobs/background.server.ts";

export const action = ({ request }: ActionFunctionArgs) =>
  receiveWebhook(request, { authenticate: authenticate.webhook, db: db(), onStored: wakeWorker });
