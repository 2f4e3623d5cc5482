// The dashboard's first-run guide: the variant steps from the database, the theme
// steps from the published theme, read through the Admin API at most once per
// THEME_CHECK_TTL_MS and kept in OnboardingState, so most dashboard loads make no Shopify call.
import type { Db } from "../db/client.server.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import {
  PRODUCT_TEMPLATE_FILE,
  SETTINGS_DATA_FILE,
  allStepsDone,
  onboardingSteps,
  settingsHaveAppEmbed,
  templateHasAppBlock,
  themeEditorLinks,
  type OnboardingGuide,
} from "../backorder/onboarding.ts";

/** How long a look at the theme stands: a merchant back from the theme editor sees the change within this. */
export const THEME_CHECK_TTL_MS = 3 * 60_000;
/** The dashboard waits no longer than this for the theme (the transport retries a slow or failing Shopify). */
export const THEME_CHECK_TIMEOUT_MS = 4_000;

export interface OnboardingDeps {
  /** The shop's Admin API gateway; null when there is none (the offline demo without the stand-in). */
  gateway: () => AdminGateway | null;
  apiKey: string;
  now?: Date;
  timeoutMs?: number;
}

/** The guide to show, or null: dismissed, or every step done. */
export async function loadOnboarding(client: Db, shop: string, deps: OnboardingDeps): Promise<OnboardingGuide | null> {
  const now = deps.now ?? new Date();
  let state = await client.onboardingState.findUnique({ where: { shop } });
  if (state?.dismissedAt) return null;
  const [enabledVariants, datedPolicies, batches] = await Promise.all([
    client.variantPolicy.count({ where: { shop, enabled: true } }),
    client.variantPolicy.count({ where: { shop, restockDate: { not: null } } }),
    client.incomingBatch.count({ where: { shop } }),
  ]);
  const stale = !state?.themeCheckedAt || now.getTime() - state.themeCheckedAt.getTime() >= THEME_CHECK_TTL_MS;
  if (stale) state = await refreshThemeCheck(client, shop, deps.gateway(), now, deps.timeoutMs);
  const read = state !== null && state.themeError === null && state.themeCheckedAt !== null;
  const steps = onboardingSteps({
    productBlock: read ? state!.productBlock : null,
    appEmbed: read ? state!.appEmbed : null,
    enabledVariants,
    datedVariants: datedPolicies + batches,
  });
  if (allStepsDone(steps)) return null;
  return {
    steps,
    links: themeEditorLinks(shop, deps.apiKey),
    themeName: state?.themeName ?? null,
    themeError: state?.themeError ?? null,
  };
}

/** Reads the published theme and stores what it has; a failure is stored too (and retried after the TTL). */
export async function refreshThemeCheck(
  client: Db,
  shop: string,
  gateway: AdminGateway | null,
  now: Date,
  timeoutMs = THEME_CHECK_TIMEOUT_MS,
) {
  let found: { themeName: string | null; productBlock: boolean; appEmbed: boolean; themeError: string | null };
  try {
    if (!gateway) throw new Error("No Admin API access for this shop");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Shopify did not answer in time")), timeoutMs);
    });
    const theme = await Promise.race([gateway.mainThemeFiles(), late]).finally(() => clearTimeout(timer));
    found = theme
      ? {
          themeName: theme.name,
          productBlock: templateHasAppBlock(theme.files.get(PRODUCT_TEMPLATE_FILE) ?? ""),
          appEmbed: settingsHaveAppEmbed(theme.files.get(SETTINGS_DATA_FILE) ?? ""),
          themeError: null,
        }
      : { themeName: null, productBlock: false, appEmbed: false, themeError: "The shop has no published theme" };
  } catch (e) {
    found = { themeName: null, productBlock: false, appEmbed: false, themeError: e instanceof Error ? e.message.slice(0, 500) : String(e) };
  }
  const data = { ...found, themeCheckedAt: now };
  return client.onboardingState.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

/** The merchant closed the guide: it stays closed for this shop. */
export async function dismissOnboarding(client: Db, shop: string, now = new Date()) {
  await client.onboardingState.upsert({ where: { shop }, create: { shop, dismissedAt: now }, update: { dismissedAt: now } });
}
