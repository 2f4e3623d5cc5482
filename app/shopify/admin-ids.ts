// Shopify's two spellings of an id: the GraphQL GID and the numeric (REST) id.

export const gid = (type: string, id: string) => (id.startsWith("gid://") ? id : `gid://shopify/${type}/${id}`);
/** The numeric (REST) id the webhooks and our tables use. */
export const restId = (g: string) => g.slice(g.lastIndexOf("/") + 1).split("?")[0]!;
