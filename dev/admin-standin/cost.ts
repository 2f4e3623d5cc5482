// Query cost and the leaky bucket, approximating Shopify's documented rules
// (shopify.dev "GraphQL Admin API rate limits"):
// - scalar and enum fields cost 0; an object (or a list of objects) costs 1 plus its selection;
// - a connection (a field returning *Connection with first/last) costs 2 plus, per node,
//   the node's cost: requested with `first`/`last` nodes, actual with the nodes returned;
//   pageInfo and cursors are free;
// - every top-level mutation field costs 10 (its payload selection is not charged);
// - a query whose requested cost exceeds 1000 is refused (MAX_COST_EXCEEDED);
// - the bucket holds 2000 points and restores 100 points a second (the standard plan);
//   the requested cost is taken before running, the difference to the actual cost refunded.
// Interfaces and unions: the selections of all fragments are summed (an upper bound of
// Shopify's "maximum of the possible selections").
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

export const BUCKET_MAX = 2000;
export const RESTORE_RATE = 100;
export const MAX_SINGLE_QUERY_COST = 1000;
export const MUTATION_COST = 10;

type Vars = Record<string, unknown>;

interface CostContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Vars;
}

function argValue(node: ValueNode | undefined, variables: Vars): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
}

function pageSize(field: FieldNode, variables: Vars): number {
  for (const name of ["first", "last"]) {
    const arg = field.arguments?.find((a) => a.name.value === name);
    const v = argValue(arg?.value, variables);
    if (typeof v === "number") return v;
  }
  return 1;
}

function collectFields(ctx: CostContext, set: SelectionSetNode | undefined, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) collectFields(ctx, sel.selectionSet, out);
    else {
      const frag = ctx.fragments[sel.name.value];
      if (frag) collectFields(ctx, frag.selectionSet, out);
    }
  }
  return out;
}

function fieldDef(ctx: CostContext, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(parent) || "getFields" in parent) {
    const f = (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[name];
    if (f) return f;
  }
  // Union/interface members: look the field up on any possible type.
  if (isAbstractType(parent)) {
    for (const t of ctx.schema.getPossibleTypes(parent)) {
      const f = t.getFields()[name];
      if (f) return f;
    }
  }
  return undefined;
}

const isConnection = (typeName: string) => typeName.endsWith("Connection");

/**
 * Cost of a selection on `parent`. With `value` (the result data of this selection),
 * connections and lists count what was returned; without, what was requested.
 */
function selectionCost(
  ctx: CostContext,
  parent: GraphQLCompositeType,
  set: SelectionSetNode | undefined,
  value?: Record<string, unknown> | null,
): number {
  let total = 0;
  for (const field of collectFields(ctx, set)) {
    if (field.name.value.startsWith("__")) continue;
    const def = fieldDef(ctx, parent, field.name.value);
    if (!def) continue;
    const named = getNamedType(def.type);
    if (!isObjectType(named) && !isAbstractType(named)) continue; // scalars, enums: 0
    const key = field.alias?.value ?? field.name.value;
    const sub = value === undefined ? undefined : (value?.[key] as unknown);
    if (named.name === "PageInfo") continue;
    if (isConnection(named.name) && isObjectType(named)) {
      total += 2 + connectionNodesCost(ctx, named, field, sub as Record<string, unknown> | null | undefined, value !== undefined);
    } else if (isListType(getNullableType(def.type))) {
      if (value !== undefined) {
        const items = Array.isArray(sub) ? (sub as Record<string, unknown>[]) : [];
        for (const item of items) total += 1 + selectionCost(ctx, named, field.selectionSet, item);
      } else {
        total += 1 + selectionCost(ctx, named, field.selectionSet);
      }
    } else if (value !== undefined && sub == null) {
      // null object: nothing was loaded
    } else {
      total += 1 + selectionCost(ctx, named, field.selectionSet, value === undefined ? undefined : (sub as Record<string, unknown>));
    }
  }
  return total;
}

function connectionNodesCost(
  ctx: CostContext,
  connType: GraphQLCompositeType & { getFields(): Record<string, GraphQLField<unknown, unknown>> },
  field: FieldNode,
  value: Record<string, unknown> | null | undefined,
  actual: boolean,
): number {
  const nodeType = getNamedType(connType.getFields().nodes?.type ?? connType.getFields().edges!.type) as GraphQLCompositeType;
  const edgeType = connType.getFields().edges ? (getNamedType(connType.getFields().edges!.type) as GraphQLCompositeType) : undefined;
  const n = pageSize(field, ctx.variables);
  let total = 0;
  for (const sel of collectFields(ctx, field.selectionSet)) {
    if (sel.name.value === "nodes") {
      if (actual)
        for (const node of (value?.nodes as Record<string, unknown>[] | undefined) ?? [])
          total += 1 + selectionCost(ctx, nodeType, sel.selectionSet, node);
      else total += n * (1 + selectionCost(ctx, nodeType, sel.selectionSet));
    } else if (sel.name.value === "edges" && edgeType) {
      const nodeSel = collectFields(ctx, sel.selectionSet).find((f) => f.name.value === "node");
      const realNodeType = getNamedType(
        (edgeType as unknown as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields().node!.type,
      ) as GraphQLCompositeType;
      if (!nodeSel) continue;
      if (actual) {
        for (const edge of (value?.edges as { node: Record<string, unknown> }[] | undefined) ?? [])
          total += 1 + selectionCost(ctx, realNodeType, nodeSel.selectionSet, edge.node);
      } else {
        total += n * (1 + selectionCost(ctx, realNodeType, nodeSel.selectionSet));
      }
    }
  }
  return total;
}

export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Vars,
  data?: Record<string, unknown> | null,
): number {
  const ctx: CostContext = { schema, fragments, variables };
  if (operation.operation === "mutation") {
    return collectFields(ctx, operation.selectionSet).filter((f) => !f.name.value.startsWith("__")).length * MUTATION_COST;
  }
  const root = schema.getQueryType()!;
  return selectionCost(ctx, root, operation.selectionSet, data === undefined ? undefined : (data ?? {}));
}

/** Shopify's leaky bucket for one app on one shop. */
export class CostBucket {
  private available: number;
  private at: number;

  constructor(
    private readonly clock: () => number,
    readonly maximum = BUCKET_MAX,
    readonly restoreRate = RESTORE_RATE,
  ) {
    this.available = maximum;
    this.at = clock();
  }

  private refill() {
    const now = this.clock();
    this.available = Math.min(this.maximum, this.available + ((now - this.at) / 1000) * this.restoreRate);
    this.at = now;
  }

  currentlyAvailable(): number {
    this.refill();
    return Math.floor(this.available);
  }

  /** Takes `cost` points if there are enough; false means THROTTLED. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number) {
    this.refill();
    this.available = Math.min(this.maximum, this.available + points);
  }

  /** Test seam: empty (or fill) the bucket. */
  set(points: number) {
    this.refill();
    this.available = Math.max(0, Math.min(this.maximum, points));
  }

  status() {
    return { maximumAvailable: this.maximum, currentlyAvailable: this.currentlyAvailable(), restoreRate: this.restoreRate };
  }
}
