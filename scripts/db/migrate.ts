// `npm run db:migrate`: brings DATABASE_URL (default: the embedded SQLite file) up to date.
import { applyMigrations } from "../../app/db/apply-migrations.server.ts";
import { defaultDatabaseUrl } from "../../app/db/url.ts";

const url = process.env.DATABASE_URL ?? defaultDatabaseUrl();
const applied = await applyMigrations(url);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
