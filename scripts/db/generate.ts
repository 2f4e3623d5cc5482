// `npm run db:generate` (also run on postinstall): both Prisma clients.
import { writePostgresSchema } from "./postgres-schema.ts";
import { schemaPath, type Provider } from "../../app/db/schema-paths.server.ts";
import { placeholderUrl } from "./placeholder-url.ts";
import { prisma } from "./prisma-cli.ts";

writePostgresSchema();
for (const p of ["sqlite", "postgres"] as Provider[]) {
  prisma(["generate", "--no-hints", "--schema", schemaPath(p)], placeholderUrl(p));
}
