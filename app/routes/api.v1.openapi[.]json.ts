// GET /api/v1/openapi.json (docs/api.md): the OpenAPI 3.1 document generated from the API's zod schemas. Public: it holds no data.
import { openApiDocument } from "~/domain/api-schemas";
import { apiEnv, apiJson } from "~/lib/api.server";

export async function loader() {
  return apiJson(openApiDocument({ rateLimit: apiEnv.SHOWBACK_API_RATE_LIMIT, windowSeconds: apiEnv.SHOWBACK_API_RATE_WINDOW_SECONDS }));
}
