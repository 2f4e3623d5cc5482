// Access scopes, as Shopify's own schema states them. Each type and field may carry
// `requiredAccess`, text such as "`read_locales` access scope or `read_markets_home` access
// scope. Also: <staff permissions>"; the webhook topic enum's descriptions end "Requires the
// `read_products` scope." or "Requires at least one of the following scopes: a, b.".
// Parsed here into alternatives (any one suffices), each a set of scopes needed together.
// Nothing is listed by hand: the stand-in refuses and test/standin/scopes.test.ts derives
// the app's scopes from the same notes.
import { getNamedType, getOperationAST, Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from "graphql";
import { getArgumentValues } from "graphql/execution/values.js";
import { schemaAccessNotes, type AccessNotes } from "./schema.ts";

/** Any one alternative suffices; every scope of the chosen alternative is needed. */
export type ScopeRequirement = string[][];

export interface FieldAccess {
  /** Where in the operation (aliases as sent, no list indices). */
  path: string[];
  field: string;
  /** The schema coordinate whose note applies: `Order` (the type) or `Order.fulfillmentOrders`. */
  coordinate: string;
  requiredAccess: string;
  requirement: ScopeRequirement;
}

const SCOPE = /\b(?:unauthenticated_)?(?:read|write)_[a-z_]+\b/g;
const scopesIn = (text: string) => [...new Set(text.match(SCOPE) ?? [])];

/** One side of "A as well as B": "any of a, b" and "a or b" are alternatives; a single scope is needed. */
function clause(text: string): ScopeRequirement {
  const scopes = scopesIn(text);
  if (scopes.length <= 1 || /\b(?:any of|or)\b|,/i.test(text)) return scopes.map((s) => [s]);
  return [scopes];
}

/** Every combination of one alternative from each side (both sides are needed). */
function both(a: ScopeRequirement, b: ScopeRequirement): ScopeRequirement {
  if (!a.length) return b;
  if (!b.length) return a;
  return a.flatMap((x) => b.map((y) => [...new Set([...x, ...y])]));
}

/**
 * The scopes a `requiredAccess` note asks of an app, for a query or a mutation. Staff
 * permissions ("Also: ...") do not apply to an offline token. A note naming no scope
 * ("the same access level needed to mutate the owner resource") gives no requirement.
 */
export function parseRequiredAccess(text: string, operation: "query" | "mutation"): ScopeRequirement {
  let scopePart = text.split(/\bAlso:/)[0]!;
  // "`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations."
  const split = /^(.*?)\bfor queries and\b(.*?)\bfor mutations\b/s.exec(scopePart);
  if (split) scopePart = operation === "query" ? split[1]! : split[2]!.replace(/\bboth\b/, "");
  // A note that names bare resources ("`orders` access scope, ... or ..." on refundCreate, the
  // only one in 2026-10) means the write scope for a mutation and the read scope for a query.
  if (scopesIn(scopePart).length === 0) {
    const prefix = operation === "mutation" ? "write_" : "read_";
    return [...scopePart.matchAll(/`([a-z_]+)` access scope/g)].map((m) => [`${prefix}${m[1]}`]);
  }
  const sides = scopePart.split(/\bas well as\b/);
  if (sides.length > 1) return sides.map(clause).reduce(both, []);
  return scopesIn(scopePart).map((s) => [s]);
}

/** The scopes a webhook topic needs (enum value name, e.g. `ORDERS_CREATE`); [] when none. */
export function webhookTopicRequirement(enumName: string, notes: AccessNotes = schemaAccessNotes()): ScopeRequirement | undefined {
  const description = notes.webhookTopics.get(enumName);
  if (description === undefined) return undefined;
  const requires = /\bRequires\b([\s\S]*)$/.exec(description);
  return requires ? scopesIn(requires[1]!).map((s) => [s]) : [];
}

/** `orders/create` -> `ORDERS_CREATE`, the enum's spelling of a topic. */
export const topicEnumName = (topic: string) => topic.replace(/\//g, "_").toUpperCase();

/** Every field of the operation whose field or returned type carries a scope note. */
export function operationAccess(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  notes: AccessNotes = schemaAccessNotes(),
): FieldAccess[] {
  const op = getOperationAST(document, operationName ?? undefined);
  if (!op) return [];
  const kind = op.operation === "mutation" ? "mutation" : "query";
  const fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const out: FieldAccess[] = [];
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  const seenFragments = new Set<string>();
  const visitor = visitWithTypeInfo(typeInfo, {
    Field: {
      enter(node) {
        path.push(node.alias?.value ?? node.name.value);
        const parent = typeInfo.getParentType();
        const def = typeInfo.getFieldDef();
        if (!parent || !def) return;
        const fieldKey = `${parent.name}.${def.name}`;
        const typeKey = getNamedType(def.type).name;
        for (const coordinate of [fieldKey, typeKey]) {
          const text = notes.requiredAccess.get(coordinate);
          if (!text) continue;
          const requirement = parseRequiredAccess(text, kind);
          if (requirement.length) out.push({ path: [...path], field: def.name, coordinate, requiredAccess: text, requirement });
        }
      },
      leave() {
        path.pop();
      },
    },
    // Fragment spreads are walked where they are used, so their fields get the right path.
    FragmentSpread(node) {
      const fragment = fragments.get(node.name.value);
      if (!fragment || seenFragments.has(node.name.value)) return;
      seenFragments.add(node.name.value);
      visit(fragment, visitor);
      seenFragments.delete(node.name.value);
    },
  });
  visit(op, visitor);
  return out;
}

/**
 * Fields of a document that carry protected customer data (`isProtected` in the schema) as
 * `Type.field` with the subject protected: reading them needs Shopify's protected customer
 * data approval on top of scopes.
 */
export function protectedFieldsIn(
  schema: GraphQLSchema,
  document: DocumentNode,
  notes: AccessNotes = schemaAccessNotes(),
): { coordinate: string; subject: string | null }[] {
  const out: { coordinate: string; subject: string | null }[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const def = typeInfo.getFieldDef();
        const coordinate = parent && def ? `${parent.name}.${def.name}` : "";
        if (notes.protectedFields.has(coordinate)) out.push({ coordinate, subject: notes.protectedFields.get(coordinate) ?? null });
      },
    }),
  );
  return out;
}

/** Whether granted scopes meet a requirement; on Shopify a `write_x` scope grants `read_x` too. */
export function satisfies(requirement: ScopeRequirement, granted: ReadonlySet<string>): boolean {
  const has = (s: string) => granted.has(s) || (s.startsWith("read_") && granted.has(`write_${s.slice(5)}`));
  return requirement.length === 0 || requirement.some((alt) => alt.every(has));
}

/**
 * metafieldsSet and metafieldsDelete carry no scope of their own: the schema's note says a
 * metafield needs "the same access level needed to mutate the owner resource". So the owners
 * named in the arguments decide: an order's metafield needs write_orders, a product's or a
 * variant's write_products. Owners not listed here need no scope in the stand-in (the shop).
 */
export const METAFIELD_OWNER_WRITE_SCOPE: Readonly<Record<string, string>> = {
  Order: "write_orders",
  Product: "write_products",
  ProductVariant: "write_products",
};

const METAFIELD_MUTATIONS = new Set(["metafieldsSet", "metafieldsDelete"]);

/** The metafield mutations of an operation whose owners the app's scopes may not write, one per field. */
export function metafieldOwnerAccess(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  notes: AccessNotes = schemaAccessNotes(),
): FieldAccess[] {
  const op = getOperationAST(document, operationName ?? undefined);
  if (!op || op.operation !== "mutation") return [];
  const mutation = schema.getMutationType();
  const out: FieldAccess[] = [];
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD || !METAFIELD_MUTATIONS.has(sel.name.value)) continue;
    const def = mutation?.getFields()[sel.name.value];
    if (!def) continue;
    let metafields: { ownerId?: unknown }[] | undefined;
    try {
      ({ metafields } = getArgumentValues(def, sel, variables) as { metafields?: { ownerId?: unknown }[] });
    } catch {
      continue; // arguments execution refuses anyway
    }
    const scopes = new Set(
      (metafields ?? []).flatMap((m) => {
        const resource = /^gid:\/\/shopify\/(\w+)\//.exec(String(m.ownerId ?? ""))?.[1] ?? "";
        const scope = METAFIELD_OWNER_WRITE_SCOPE[resource];
        return scope ? [scope] : [];
      }),
    );
    if (scopes.size === 0) continue;
    out.push({
      path: [sel.alias?.value ?? sel.name.value],
      field: sel.name.value,
      coordinate: `Mutation.${sel.name.value}`,
      requiredAccess: notes.requiredAccess.get(`Mutation.${sel.name.value}`) ?? "the same access level needed to mutate the owner resource",
      requirement: [[...scopes]],
    });
  }
  return out;
}
