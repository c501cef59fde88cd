// Public liveness/readiness probe: 200 when the database answers, else 503.
import { getDb } from "~/lib/db.server";

const headers = { "Cache-Control": "no-store", "Content-Type": "application/json" };

export async function loader() {
  try {
    const db = await getDb();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        db.query("select 1"),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("timeout")), 3_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return new Response(JSON.stringify({ status: "ok", db: "ok" }), { status: 200, headers });
  } catch {
    return new Response(JSON.stringify({ status: "error", db: "error" }), { status: 503, headers });
  }
}
