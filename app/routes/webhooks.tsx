// Every webhook topic (shopify.app.toml) is delivered here.
import type { ActionFunctionArgs } from "@remix-run/node";
import { appConfig, webhookLimits } from "../config.server.ts";
import { db } from "../db/client.server.ts";
import { createWebhookDoor, type WebhookDoor } from "../inbox/receive-webhook.server.ts";
import { closeConnectionWhenStopping } from "../shutdown.server.ts";
import { wakeWorker } from "../worker/background.server.ts";

// One door for the process: its byte budget is shared by every delivery being read.
let door: WebhookDoor | undefined;
const webhookDoor = () =>
  (door ??= createWebhookDoor({ db: db(), apiSecret: appConfig().apiSecret, ...webhookLimits(), onStored: wakeWorker }));

export const action = async ({ request }: ActionFunctionArgs) => closeConnectionWhenStopping(await webhookDoor()(request));
