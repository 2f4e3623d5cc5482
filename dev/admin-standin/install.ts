// Makes the app "installed" on a stand-in shop: the offline session row the gateway reads
// (shopify-app-session-storage-prisma's shape, id `offline_<shop>`), with the stand-in's
// token and the scopes granted. A stand-in shop grants DEFAULT_SCOPES unless told otherwise
// (`addShop({ scopes })`); pass the shop's `grantedScopes` here when a test narrows them.
import type { Db } from "../../app/db/client.server.ts";
import { DEFAULT_SCOPES } from "../../app/config.server.ts";

export async function installOfflineSession(db: Db, shop: string, accessToken: string, scopes: Iterable<string> = DEFAULT_SCOPES) {
  const data = { shop, state: "installed", isOnline: false, accessToken, scope: [...scopes].join(","), expires: null };
  await db.session.upsert({ where: { id: `offline_${shop}` }, create: { id: `offline_${shop}`, ...data }, update: data });
}
