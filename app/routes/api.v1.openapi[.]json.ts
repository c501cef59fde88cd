// GET /api/v1/openapi.json (docs/api.md): the OpenAPI 3.1 document generated from the API's zod schemas. Public: it holds no data.
import { openApiDocument } from "~/domain/api-schemas";
import { apiJson } from "~/lib/api.server";
import { getEnv } from "~/lib/db.server";

export async function loader() {
  const env = await getEnv();
  return apiJson(openApiDocument({ rateLimit: env.SHOWBACK_API_RATE_LIMIT, windowSeconds: env.SHOWBACK_API_RATE_WINDOW_SECONDS }));
}
