// Runs the Admin API stand-in on its own, for the offline demo:
//   npx tsx dev/admin-standin/cli.ts --port 3457 --seed demo [--shop x.myshopify.com] [--token shpat_…]
// Point the app at it with SHOPIFY_ADMIN_API_ORIGIN=http://127.0.0.1:<port> and an
// offline session row whose accessToken is the printed token.
import { parseArgs } from "node:util";
import { AdminStandin } from "./server.ts";
import { ADMIN_API_VERSION } from "./schema.ts";
import { DEMO_SHOP, seedDemoShop } from "./seed.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3457" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string", default: "demo" },
    shop: { type: "string", default: DEMO_SHOP },
    token: { type: "string" },
  },
});

const standin = new AdminStandin();
if (values.seed === "demo") seedDemoShop(standin, values.shop, values.token);
else if (values.seed === "empty") standin.addShop({ domain: values.shop!, accessToken: values.token });
else throw new Error(`unknown seed ${values.seed} (demo | empty)`);

const origin = await standin.listen(Number(values.port), values.host);
const shop = standin.shop(values.shop!);
console.log(`Admin API stand-in (schema ${ADMIN_API_VERSION}) on ${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`);
console.log(`  shop ${shop.domain}, access token ${shop.accessToken}`);
console.log(`  app: SHOPIFY_ADMIN_API_ORIGIN=${origin}`);

const stop = () => void standin.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
