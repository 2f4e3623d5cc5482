// Bulk query operations (`bulkOperationRunQuery`), as Shopify runs them: the query is
// validated against the schema and the bulk rules (one top-level connection field, at most
// five connections, nested at most two deep, no top-level `node`/`nodes`), then run in the
// background over the shop's state, CREATED -> RUNNING -> COMPLETED (or FAILED with an
// errorCode), and its result written as JSONL to a file served on the stand-in's own HTTP
// server: one object per line, each connection's nodes on lines of their own with
// `__parentId` (the enclosing connection node), after their parent but, ungrouped
// (groupObjects: false), not directly after it. Pagination arguments and `pageInfo` are
// ignored, as on Shopify: every node is exported.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import {
  execute,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { operationAccess, satisfies } from "./access.ts";
import { adminSchema, checkDocument } from "./schema.ts";
import type { StandinShop } from "./state.ts";

type Obj = Record<string, unknown>;

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";
export type BulkErrorCode = "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";

export interface StandinBulkOperation {
  id: string;
  shop: string;
  query: string;
  groupObjects: boolean;
  status: BulkStatus;
  errorCode: BulkErrorCode | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  /** Where the JSONL is written; served under `token` while the operation has a url. */
  file: string;
  token: string;
  fileSize: number | null;
  /** COMPLETED: the whole result; FAILED: what was written before the failure, if anything. */
  hasUrl: boolean;
  hasPartialData: boolean;
}

/** Query operations of one app that may run at once per shop (API 2026-01 and later). */
export const MAX_CONCURRENT_BULK_QUERIES = 5;
const MAX_CONNECTIONS = 5;
const MAX_NESTING = 2;
/** Root nodes read per execution while the operation runs (it yields between pages). */
const PAGE = 250;
const RUNNING: BulkStatus[] = ["CREATED", "RUNNING", "CANCELING"];
const isConnection = (typeName: string) => typeName.endsWith("Connection");

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: "INVALID" | "LIMIT_REACHED" | "OPERATION_IN_PROGRESS";
}

/** Why Shopify would refuse this document as a bulk query, or null when it may run. */
export function bulkQueryProblem(schema: GraphQLSchema, document: DocumentNode): string | null {
  const op = getOperationAST(document);
  if (!op) return "The bulk query must contain exactly one operation.";
  if (op.operation !== "query") return "Bulk queries cannot contain mutations.";
  const roots = op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  if (roots.length !== 1 || op.selectionSet.selections.length !== 1) return "Bulk queries must contain exactly one top-level field.";
  const root = roots[0]!;
  if (root.name.value === "node" || root.name.value === "nodes") return "Bulk queries cannot use the top-level `node` or `nodes` fields.";
  const rootDef = schema.getQueryType()!.getFields()[root.name.value];
  if (!rootDef || !isConnection(getNamedType(rootDef.type).name)) return "The top-level field of a bulk query must be a connection.";
  let connections = 0;
  let deepest = 0;
  const walk = (set: SelectionSetNode | undefined, type: GraphQLCompositeType, depth: number) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : type;
        walk(sel.selectionSet, t, depth);
        continue;
      }
      if (sel.kind !== Kind.FIELD || !(isObjectType(type) || isInterfaceType(type))) continue;
      const def = type.getFields()[sel.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      let next = depth;
      if (isConnection(named.name)) {
        connections++;
        next = depth + 1;
        deepest = Math.max(deepest, next);
      }
      if (isObjectType(named) || isInterfaceType(named)) walk(sel.selectionSet, named, next);
    }
  };
  walk(op.selectionSet, schema.getQueryType()!, 0);
  // The top-level connection is level 0; nested connections count from 1.
  if (connections > MAX_CONNECTIONS) return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  if (deepest - 1 > MAX_NESTING) return `Bulk queries cannot contain connections nested more than ${MAX_NESTING} levels deep.`;
  if (document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION))
    return "Bulk queries cannot use named fragments in the stand-in (inline fragments only).";
  return null;
}

/** The document with every connection's pagination arguments dropped and the root paged by us. */
function pagedDocument(op: OperationDefinitionNode, after: string | null): DocumentNode {
  const strip = new Set(["first", "last", "after", "before"]);
  const stripped = visit(op, {
    Field(node) {
      if (!node.arguments?.some((a) => strip.has(a.name.value))) return undefined;
      return { ...node, arguments: node.arguments.filter((a) => !strip.has(a.name.value)) };
    },
  });
  const root = stripped.selectionSet.selections[0] as FieldNode;
  const pageArgs = [
    { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "first" }, value: { kind: Kind.INT, value: String(PAGE) } },
    ...(after ? [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "after" }, value: { kind: Kind.STRING, value: after } }] : []),
  ];
  const pageInfo = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: "standinPageInfo" },
    name: { kind: Kind.NAME, value: "pageInfo" },
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: ["hasNextPage", "endCursor"].map((f) => ({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: f } })),
    },
  };
  const pagedRoot = {
    ...root,
    arguments: [...(root.arguments ?? []), ...pageArgs],
    selectionSet: { ...root.selectionSet!, selections: [...root.selectionSet!.selections, pageInfo] },
  } as FieldNode;
  return {
    kind: Kind.DOCUMENT,
    definitions: [{ ...stripped, selectionSet: { ...stripped.selectionSet, selections: [pagedRoot] } }],
  } as DocumentNode;
}

/** A connection's nodes (`edges { node }` or `nodes`) with the selection set and type of a node. */
function connectionNodes(
  value: Obj,
  field: FieldNode,
  connectionType: GraphQLCompositeType,
): { nodes: Obj[]; set: SelectionSetNode | undefined; type: GraphQLCompositeType }[] {
  const out: { nodes: Obj[]; set: SelectionSetNode | undefined; type: GraphQLCompositeType }[] = [];
  const fields = (connectionType as { getFields(): Record<string, { type: Parameters<typeof getNamedType>[0] }> }).getFields();
  for (const sel of field.selectionSet?.selections ?? []) {
    if (sel.kind !== Kind.FIELD) continue;
    const key = sel.alias?.value ?? sel.name.value;
    if (sel.name.value === "nodes") {
      out.push({
        nodes: (value[key] as Obj[] | null) ?? [],
        set: sel.selectionSet,
        type: getNamedType(fields.nodes!.type) as GraphQLCompositeType,
      });
    } else if (sel.name.value === "edges") {
      const edgeType = getNamedType(fields.edges!.type) as GraphQLCompositeType;
      const nodeSel = sel.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === "node");
      if (!nodeSel) continue;
      const nodeKey = nodeSel.alias?.value ?? "node";
      const nodeType = getNamedType(
        (edgeType as { getFields(): Record<string, { type: Parameters<typeof getNamedType>[0] }> }).getFields().node!.type,
      ) as GraphQLCompositeType;
      out.push({ nodes: ((value[key] as Obj[] | null) ?? []).map((e) => e[nodeKey] as Obj), set: nodeSel.selectionSet, type: nodeType });
    }
  }
  return out;
}

/**
 * One exported object as its JSONL line(s): the object without its connections, then
 * (in `children`) each connection node as an object of its own with `__parentId`.
 */
function splitObject(
  schema: GraphQLSchema,
  value: Obj,
  set: SelectionSetNode | undefined,
  type: GraphQLCompositeType,
  ownerId: string | undefined,
  children: Obj[],
): Obj {
  const out: Obj = { ...value };
  const visitSet = (s: SelectionSetNode | undefined, t: GraphQLCompositeType, target: Obj, source: Obj) => {
    for (const sel of s?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : t;
        visitSet(sel.selectionSet, cond, target, source);
        continue;
      }
      if (sel.kind !== Kind.FIELD || !(isObjectType(t) || isInterfaceType(t))) continue;
      const def = t.getFields()[sel.name.value];
      const key = sel.alias?.value ?? sel.name.value;
      if (!def || source[key] == null) continue;
      const named = getNamedType(def.type);
      if (sel.name.value === "pageInfo") {
        delete target[key];
      } else if (isConnection(named.name)) {
        delete target[key];
        for (const group of connectionNodes(source[key] as Obj, sel, named as GraphQLCompositeType)) {
          for (const node of group.nodes) {
            const grandchildren: Obj[] = [];
            const line = splitObject(schema, node, group.set, group.type, node.id as string | undefined, grandchildren);
            children.push({ ...line, __parentId: ownerId }, ...grandchildren);
          }
        }
      } else if (isObjectType(named) || isInterfaceType(named)) {
        // A plain object may hold a connection (inventoryItem { inventoryLevels }): its nodes'
        // parent stays the enclosing connection node.
        const v = source[key];
        if (Array.isArray(v)) target[key] = v.map((item: Obj) => (item ? copyInto(item, sel.selectionSet, named) : item));
        else target[key] = copyInto(v as Obj, sel.selectionSet, named);
      }
    }
  };
  const copyInto = (v: Obj, s: SelectionSetNode | undefined, t: GraphQLCompositeType): Obj => {
    const copy = { ...v };
    visitSet(s, t, copy, v);
    return copy;
  };
  visitSet(set, type, out, value);
  return out;
}

interface Faults {
  fail?: { errorCode: BulkErrorCode; afterLines: number };
  cutDownloadAfterLines?: number;
}

/** Every shop's bulk operations, their result files, and the faults tests inject. */
export class BulkOperations {
  readonly operations = new Map<string, StandinBulkOperation>();
  private dir?: string;
  private faults: Faults = {};
  private paused = false;
  private resumeWaiters: (() => void)[] = [];
  private serial = 0;
  /** The stand-in's address once it listens: result urls point there. */
  origin = "http://127.0.0.1:0";

  constructor(
    private readonly clock: () => number,
    private readonly resolversFor: (shop: StandinShop) => { queryRoot(): Obj },
  ) {}

  /** Operations stay RUNNING (without progress) until `resume()`: a test sees them in progress. */
  pause() {
    this.paused = true;
  }

  resume() {
    this.paused = false;
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  /** The next operation that runs fails with `errorCode` after writing `afterLines` lines (partial data). */
  failNext(errorCode: BulkErrorCode, afterLines = 0) {
    this.faults.fail = { errorCode, afterLines };
  }

  /** The next result download drops the connection after `lines` lines, as a network failure would. */
  cutNextDownload(lines: number) {
    this.faults.cutDownloadAfterLines = lines;
  }

  /** bulkOperationRunQuery: the operation, or the userErrors Shopify gives. */
  run(shop: StandinShop, query: string, groupObjects: boolean): { operation: StandinBulkOperation | null; userErrors: BulkUserError[] } {
    const invalid = (message: string) => ({ operation: null, userErrors: [{ field: ["query"], message, code: "INVALID" as const }] });
    const checked = checkDocument(query);
    if (!checked.ok) return invalid(`Invalid bulk query: ${checked.errors.map((e) => e.message).join("; ")}`);
    const problem = bulkQueryProblem(adminSchema(), checked.document);
    if (problem) return invalid(problem);
    const running = [...this.operations.values()].filter((o) => o.shop === shop.domain && RUNNING.includes(o.status));
    if (running.length >= MAX_CONCURRENT_BULK_QUERIES) {
      return {
        operation: null,
        userErrors: [
          {
            field: null,
            message: `A shop can run at most ${MAX_CONCURRENT_BULK_QUERIES} bulk query operations at a time.`,
            code: "LIMIT_REACHED",
          },
        ],
      };
    }
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "standin-bulk-"));
    const id = `gid://shopify/BulkOperation/${Date.now() % 1e9}${String(++this.serial).padStart(4, "0")}`;
    const token = crypto.randomBytes(12).toString("hex");
    const op: StandinBulkOperation = {
      id,
      shop: shop.domain,
      query,
      groupObjects,
      status: "CREATED",
      errorCode: null,
      createdAt: new Date(this.clock()).toISOString(),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      file: path.join(this.dir, `${token}.jsonl`),
      token,
      fileSize: null,
      hasUrl: false,
      hasPartialData: false,
    };
    this.operations.set(id, op);
    const fail = this.faults.fail;
    this.faults.fail = undefined;
    // In the background, as on Shopify: the mutation answers at once.
    setImmediate(() => void this.execute(shop, op, checked.document, fail));
    return { operation: op, userErrors: [] };
  }

  get(shop: StandinShop, id: string): StandinBulkOperation | null {
    const op = this.operations.get(id);
    return op && op.shop === shop.domain ? op : null;
  }

  /** The newest operation of the shop (currentBulkOperation; every one here is a query). */
  current(shop: StandinShop): StandinBulkOperation | null {
    return [...this.operations.values()].filter((o) => o.shop === shop.domain).at(-1) ?? null;
  }

  cancel(shop: StandinShop, id: string): StandinBulkOperation | null {
    const op = this.get(shop, id);
    if (op && RUNNING.includes(op.status)) op.status = "CANCELING";
    return op;
  }

  /** The GraphQL view of an operation. */
  view(op: StandinBulkOperation): Obj {
    const file = (suffix: boolean) => (suffix ? `${this.origin}/bulk-results/${op.token}.jsonl` : null);
    return {
      __typename: "BulkOperation",
      id: op.id,
      status: op.status,
      errorCode: op.errorCode,
      createdAt: op.createdAt,
      completedAt: op.completedAt,
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: op.fileSize === null ? null : String(op.fileSize),
      query: op.query,
      type: "QUERY",
      url: file(op.hasUrl),
      partialDataUrl: file(op.hasPartialData),
    };
  }

  /** The result file for a download path, with the fault to apply, or null (404). */
  download(token: string): { file: string; cutAfterLines?: number } | null {
    const op = [...this.operations.values()].find((o) => o.token === token && (o.hasUrl || o.hasPartialData));
    if (!op) return null;
    const cutAfterLines = this.faults.cutDownloadAfterLines;
    this.faults.cutDownloadAfterLines = undefined;
    return { file: op.file, cutAfterLines };
  }

  async close() {
    this.resume();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async untilResumed() {
    while (this.paused) await new Promise<void>((r) => this.resumeWaiters.push(r));
  }

  private async execute(shop: StandinShop, op: StandinBulkOperation, document: DocumentNode, fail: Faults["fail"]) {
    if (op.status === "CANCELING") return void (op.status = "CANCELED");
    op.status = "RUNNING";
    await this.untilResumed();
    if ((op.status as BulkStatus) === "CANCELING") return void (op.status = "CANCELED");
    // The query runs with the installed app's scopes: a field they do not cover fails the operation.
    const schema = adminSchema();
    if (operationAccess(schema, document).some((a) => !satisfies(a.requirement, shop.grantedScopes))) {
      op.status = "FAILED";
      op.errorCode = "ACCESS_DENIED";
      return;
    }
    const opNode = getOperationAST(document)!;
    const rootSel = opNode.selectionSet.selections[0] as FieldNode;
    const rootKey = rootSel.alias?.value ?? rootSel.name.value;
    const rootType = getNamedType(schema.getQueryType()!.getFields()[rootSel.name.value]!.type) as GraphQLCompositeType;
    const out = fs.openSync(op.file, "w");
    let lines = 0;
    let deferred: Obj[] = [];
    try {
      let after: string | null = null;
      for (;;) {
        const result = execute({ schema, document: pagedDocument(opNode, after), rootValue: this.resolversFor(shop).queryRoot() }) as {
          data?: Obj | null;
          errors?: readonly Error[];
        };
        if (result.errors?.length || !result.data) throw new Error(result.errors?.map((e) => e.message).join("; ") ?? "no data");
        const page = result.data[rootKey] as Obj;
        let buffer = "";
        const write = (o: Obj) => {
          if (fail && lines >= fail.afterLines) throw new FailNow();
          buffer += `${JSON.stringify(o)}\n`;
          lines++;
        };
        try {
          for (const group of connectionNodes(page, rootSel, rootType)) {
            for (const node of group.nodes) {
              const children: Obj[] = [];
              write(splitObject(schema, node, group.set, group.type, node.id as string | undefined, children));
              op.rootObjectCount++;
              // Ungrouped, a node's children come after the next root node: after their parent, not next to it.
              if (op.groupObjects) children.forEach(write);
              else {
                deferred.forEach(write);
                deferred = children;
              }
            }
          }
        } finally {
          fs.writeSync(out, buffer);
          op.objectCount = lines;
        }
        const info = page.standinPageInfo as { hasNextPage: boolean; endCursor: string | null };
        if (!info.hasNextPage) break;
        after = info.endCursor;
        await new Promise((r) => setImmediate(r));
        await this.untilResumed();
        // bulkOperationCancel may have been called meanwhile.
        if ((op.status as BulkStatus) === "CANCELING") {
          op.status = "CANCELED";
          return;
        }
      }
      let tail = "";
      for (const o of deferred) {
        if (fail && lines >= fail.afterLines) throw new FailNow();
        tail += `${JSON.stringify(o)}\n`;
        lines++;
      }
      fs.writeSync(out, tail);
      op.objectCount = lines;
      if (fail) throw new FailNow();
      op.status = "COMPLETED";
      op.completedAt = new Date(this.clock()).toISOString();
      op.fileSize = fs.fstatSync(out).size;
      op.hasUrl = op.objectCount > 0; // Shopify gives no url for an operation that found nothing
    } catch (e) {
      op.status = "FAILED";
      op.errorCode = e instanceof FailNow ? fail!.errorCode : "INTERNAL_SERVER_ERROR";
      op.hasPartialData = lines > 0;
    } finally {
      fs.closeSync(out);
    }
  }
}

class FailNow extends Error {}
