// POST /logout ends the session (CSRF and Origin checked). GET just goes home.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endSession, requireMutation } from "~/lib/auth.server";
import { getEnv } from "~/lib/db.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const env = await getEnv();
  if (env.SHOWBACK_AUTH === "header") return redirect("/");
  // Any signed-in role may sign out; the token stops other sites from signing users out.
  await requireMutation(request, "team_viewer");
  return redirect("/login", { headers: { "Set-Cookie": await endSession(request) } });
}
