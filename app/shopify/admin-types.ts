// The result and variables types of each document in admin-queries.ts, as codegen generated
// them from Shopify's Admin schema (npm run codegen -> app/shopify/generated/, not in git).
// The generated maps are keyed by the document text itself, so a document constant's literal
// type picks its types: request(SHOP_FACTS) is typed without naming ShopFactsQuery.
import type { GeneratedMutationTypes, GeneratedQueryTypes } from "./generated/admin.generated.d.ts";

export type * from "./generated/admin.generated.d.ts";
export type * as AdminTypes from "./generated/admin.types.d.ts";

type Operations = GeneratedQueryTypes & GeneratedMutationTypes;
/** The text of one of the app's documents (admin-queries.ts). */
export type AdminDocument = keyof Operations & string;
export type ResultOf<D extends AdminDocument> = Operations[D]["return"];
export type VariablesOf<D extends AdminDocument> = Operations[D]["variables"];
