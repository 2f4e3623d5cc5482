// The dashboard's first-run guide: which setup steps are done, read from the published
// theme's JSON files and the shop's variant settings, and the theme editor's deep links
// that do the theme steps in one click.
//
// How a theme records an app's blocks (shopify.dev, theme app extensions "Detecting app
// blocks and app embed blocks"): a block's `type` is
// `shopify://apps/<app handle>/blocks/<block handle>/<extension uuid>`. The product
// template (templates/product.json) holds app blocks inside its sections' `blocks`; the
// theme settings (config/settings_data.json) hold app embeds in `current.blocks`, with
// `disabled: true` while the merchant has the embed switched off. Both files may start
// with a /* ... */ comment Shopify writes above the JSON.

/** The app's handle in shopify.app.toml (`handle`): the `<app handle>` of its block types. */
export const APP_HANDLE = "backorder-queue";
/** File names (without .liquid) in extensions/backorder-notice/blocks. */
export const PRODUCT_BLOCK_HANDLE = "backorder-notice";
export const APP_EMBED_HANDLE = "backorder-embed";

export const PRODUCT_TEMPLATE_FILE = "templates/product.json";
export const SETTINGS_DATA_FILE = "config/settings_data.json";

export type OnboardingStepId = "product-block" | "app-embed" | "variants" | "restock-date";

export interface OnboardingFacts {
  /** null: the theme could not be read (no published theme, no access, Shopify down). */
  productBlock: boolean | null;
  appEmbed: boolean | null;
  enabledVariants: number;
  /** Variants with a restock date or an incoming batch. */
  datedVariants: number;
}

export interface OnboardingStep {
  id: OnboardingStepId;
  /** true done, false to do, null not known (theme steps when the theme could not be read). */
  done: boolean | null;
}

export interface OnboardingGuide {
  steps: OnboardingStep[];
  links: { productBlock: string; appEmbed: string };
  /** The published theme's name, when it was read. */
  themeName: string | null;
  /** Why the theme could not be read, when it could not. */
  themeError: string | null;
}

type Json = unknown;

/** The file's JSON without the leading comment Shopify may put above it; null when it is not JSON. */
export function parseThemeJson(text: string): Json | null {
  const body = text.replace(/^\s*(\/\*[\s\S]*?\*\/\s*)*/, "");
  try {
    return JSON.parse(body) as Json;
  } catch {
    return null;
  }
}

const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a block `type` is this app's block with that handle (any extension uuid). */
export function isAppBlockType(type: Json, blockHandle: string, appHandle = APP_HANDLE): boolean {
  if (typeof type !== "string") return false;
  const parts = /^shopify:\/\/apps\/([^/]+)\/blocks\/([^/]+)\/[^/]+$/.exec(type);
  return parts !== null && parts[1] === appHandle && parts[2] === blockHandle;
}

function enabledBlocks(container: Json): Record<string, Json>[] {
  if (!isObject(container) || !isObject(container.blocks)) return [];
  return Object.values(container.blocks).filter((b): b is Record<string, Json> => isObject(b) && b.disabled !== true);
}

/** The product template has the app block in a section that is not disabled. */
export function templateHasAppBlock(template: string, blockHandle = PRODUCT_BLOCK_HANDLE, appHandle = APP_HANDLE): boolean {
  const json = parseThemeJson(template);
  if (!isObject(json) || !isObject(json.sections)) return false;
  return Object.values(json.sections).some(
    (section) =>
      isObject(section) && section.disabled !== true && enabledBlocks(section).some((b) => isAppBlockType(b.type, blockHandle, appHandle)),
  );
}

/** The theme settings have the app embed switched on. `current` may name a preset instead of holding the settings. */
export function settingsHaveAppEmbed(settingsData: string, embedHandle = APP_EMBED_HANDLE, appHandle = APP_HANDLE): boolean {
  const json = parseThemeJson(settingsData);
  if (!isObject(json)) return false;
  const current = typeof json.current === "string" && isObject(json.presets) ? json.presets[json.current] : json.current;
  return enabledBlocks(current ?? null).some((b) => isAppBlockType(b.type, embedHandle, appHandle));
}

/** The guide's four steps, in the order a merchant does them. */
export function onboardingSteps(f: OnboardingFacts): OnboardingStep[] {
  return [
    { id: "product-block", done: f.productBlock },
    { id: "app-embed", done: f.appEmbed },
    { id: "variants", done: f.enabledVariants > 0 },
    { id: "restock-date", done: f.datedVariants > 0 },
  ];
}

export const allStepsDone = (steps: OnboardingStep[]) => steps.every((s) => s.done === true);

/**
 * The theme editor's deep links (shopify.dev, theme app extensions "Deep linking"): open the
 * published theme's product template with the app block added to its main section, and the
 * app embeds panel with the embed switched on. The merchant still saves in the editor.
 */
export function themeEditorLinks(shopDomain: string, apiKey: string) {
  const editor = `https://${shopDomain}/admin/themes/current/editor`;
  // Written out as documented (`<api key>/<handle>` with its slash), not URL-encoded.
  const id = (handle: string) => `${encodeURIComponent(apiKey)}/${handle}`;
  const block = `template=product&addAppBlockId=${id(PRODUCT_BLOCK_HANDLE)}&target=mainSection`;
  const embed = `context=apps&template=product&activateAppId=${id(APP_EMBED_HANDLE)}`;
  return { productBlock: `${editor}?${block}`, appEmbed: `${editor}?${embed}` };
}
