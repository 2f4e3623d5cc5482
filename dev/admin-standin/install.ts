// Makes the app "installed" on a stand-in shop: the offline session row the gateway reads
// (shopify-app-session-storage-prisma's shape, id `offline_<shop>`), with the stand-in's token.
import type { Db } from "../../app/db/client.server.ts";
import { DEFAULT_SCOPES } from "../../app/config.server.ts";

export async function installOfflineSession(db: Db, shop: string, accessToken: string) {
  const data = { shop, state: "installed", isOnline: false, accessToken, scope: DEFAULT_SCOPES.join(","), expires: null };
  await db.session.upsert({ where: { id: `offline_${shop}` }, create: { id: `offline_${shop}`, ...data }, update: data });
}
