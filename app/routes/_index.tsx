// Placeholder overview: another engineer replaces its content.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PageHeader } from "~/components/ui";
import { requireUser } from "~/lib/auth.server";

export const meta: MetaFunction = () => [{ title: "Overview · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { email: user.email };
}

export default function Overview() {
  const { email } = useLoaderData<typeof loader>();
  return <PageHeader title="Overview" description={`Signed in as ${email}`} />;
}
