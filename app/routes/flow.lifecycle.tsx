// Shopify Flow's trigger lifecycle callback (extensions/flow-lifecycle): which shops have a
// workflow on the app's triggers. The handler checks the signature and records it.
import type { ActionFunctionArgs } from "@remix-run/node";
import { appConfig } from "../config.server.ts";
import { db } from "../db/client.server.ts";
import { createFlowLifecycleHandler } from "../inbox/flow-lifecycle.server.ts";

let handler: ReturnType<typeof createFlowLifecycleHandler> | undefined;

export const action = ({ request }: ActionFunctionArgs) =>
  (handler ??= createFlowLifecycleHandler({ db: db(), apiSecret: appConfig().apiSecret }))(request);
