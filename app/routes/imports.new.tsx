// Upload an export: stream to a temp file, check it (preview: previewIngest), then confirm → ingestFile (app/services/ingest.ts).
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { rm } from "node:fs/promises";
import path from "node:path";
import { listOrgs } from "../../db/queries/orgs";
import { INGEST_PHASES, ingestFile, previewIngest } from "~/services/ingest";
import type { ExportSummary } from "~/domain/csv/export";
import { InputError } from "~/domain/errors";
import { UPLOAD_FIELD, UploadPreviewSchema, UploadTokenSchema, chosenOrgId } from "~/forms/imports";
import { CsrfInput } from "~/components/csrf";
import { Alert, Badge, buttonClass, Card, cx, inputClass, labelClass, Money, PageHeader, Stat } from "~/components/ui";
import { IssuesTable, Warnings } from "~/components/admin/parts";
import {
  TOO_LARGE,
  createExportUploadHandler,
  discardPending,
  fileOf,
  getProgress,
  isToken,
  loadPending,
  savePending,
  setProgress,
  sweepExpired,
  uploadMaxBytes,
  uploadMaxMb,
} from "~/lib/uploads.server";
import type { Progress } from "~/lib/uploads.server";
import { requireMutation, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { inputErrorResponse, parseForm, type ActionFailure } from "~/lib/forms.server";
import { formatNumber } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "Upload an export · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const url = new URL(request.url);
  const token = url.searchParams.get("progress");
  if (token !== null) {
    return json({
      kind: "progress" as const,
      progress: isToken(token) ? getProgress(token) : null,
      orgs: [] as Array<{ id: string; name: string | null }>,
      maxMb: "",
      preselect: "",
    });
  }
  const db = await getDb();
  const orgs = await listOrgs(db);
  return json({
    kind: "page" as const,
    progress: null as Progress | null,
    orgs: orgs.map((o) => ({ id: o.org_id, name: o.display_name })),
    maxMb: uploadMaxMb(),
    preselect: url.searchParams.get("org") ?? "",
  });
}

type Summary = Pick<
  ExportSummary,
  | "granularity"
  | "firstBucket"
  | "lastBucket"
  | "bucketCount"
  | "rowCount"
  | "total"
  | "unallocatedTotal"
  | "warnings"
  | "errors"
  | "errorCount"
  | "unbalancedGroups"
>;

type ActionData =
  | { stage: "error"; error: string }
  | (ActionFailure & { stage: "error" })
  | { stage: "rejected"; orgId: string; fileName: string; summary: Summary }
  | {
      stage: "preview";
      token: string;
      orgId: string;
      fileName: string;
      bytes: number;
      allowUnbalanced: boolean;
      summary: Summary;
      replaces: Array<{ importId: number; rows: number; total: string }>;
    }
  | { stage: "unchanged"; message: string; importId: number }
  | { stage: "cancelled" };

const pick = (s: ExportSummary): Summary => ({
  granularity: s.granularity,
  firstBucket: s.firstBucket,
  lastBucket: s.lastBucket,
  bucketCount: s.bucketCount,
  rowCount: s.rowCount,
  total: s.total,
  unallocatedTotal: s.unallocatedTotal,
  warnings: s.warnings,
  errors: s.errors,
  errorCount: s.errorCount,
  unbalancedGroups: s.unbalancedGroups,
});

export async function action({ request }: ActionFunctionArgs) {
  const state: { token?: string; fileName?: string; bytes?: number; tooLarge?: boolean } = {};
  const maxBytes = uploadMaxBytes();
  const { user, form } = await requireMutation(request, "finance_admin", {
    uploadHandler: createExportUploadHandler(maxBytes, state),
  }).catch(async (e: unknown) => {
    // the body was refused part-way (a second file part, past the size limit): drop the stored file
    if (state.token) await discardPending(state.token);
    throw e;
  });
  const db = await getDb();
  const intent = String(form.get("intent") ?? "preview");
  void sweepExpired();

  if (intent === "cancel") {
    const { token } = parseForm(form, UploadTokenSchema);
    if (isToken(token)) await discardPending(token);
    return json<ActionData>({ stage: "cancelled" });
  }

  if (intent === "confirm") {
    const pending = await loadPending(parseForm(form, UploadTokenSchema).token);
    if (!pending || pending.actor !== user.email)
      return json<ActionData>(
        { stage: "error", error: "This upload has expired or was already imported. Upload the file again." },
        { status: 410 },
      );
    setProgress(pending.token, { state: "loading", rows: 0, bytes: 0, totalBytes: pending.bytes });
    try {
      const result = await ingestFile(db, {
        orgId: pending.orgId,
        filePath: fileOf(pending.token),
        fileName: pending.fileName,
        granularity: pending.granularity ?? undefined,
        allowUnbalanced: pending.allowUnbalanced,
        actor: user.email,
        onProgress: (p) =>
          setProgress(pending.token, {
            ...getProgress(pending.token),
            state: "loading",
            rows: p.rows,
            bytes: p.bytes,
            totalBytes: p.totalBytes,
          }),
        onPhase: (phase) => {
          const cur = getProgress(pending.token);
          if (cur) setProgress(pending.token, { ...cur, phase: INGEST_PHASES[phase] });
        },
      });
      if (result.status === "rejected") {
        // (the service audited the rejected attempt)
        setProgress(pending.token, { state: "failed", rows: result.summary.rowCount, bytes: pending.bytes, totalBytes: pending.bytes });
        return json<ActionData>({ stage: "rejected", orgId: pending.orgId, fileName: pending.fileName, summary: pick(result.summary) });
      }
      setProgress(pending.token, {
        state: "done",
        rows: result.summary.rowCount,
        bytes: pending.bytes,
        totalBytes: pending.bytes,
        importId: result.importId,
      });
      if (result.status === "unchanged")
        return json<ActionData>({ stage: "unchanged", message: result.message, importId: result.importId });
      return redirect(`/imports/${result.importId}?created=1`);
    } catch (e) {
      setProgress(pending.token, { state: "failed", rows: 0, bytes: 0, totalBytes: pending.bytes, message: (e as Error).message });
      throw e;
    } finally {
      // the file goes now; the progress entry stays for a last poll ("done: N rows")
      await rm(path.dirname(fileOf(pending.token)), { recursive: true, force: true }).catch(() => {});
    }
  }

  // preview
  const cleanup = async () => {
    if (state.token) await discardPending(state.token);
  };
  if (state.tooLarge)
    return json<ActionData>(
      {
        stage: "error",
        error: `The file is larger than the upload limit of ${uploadMaxMb()} MB (SHOWBACK_UPLOAD_MAX_MB). Split the export by date range, or load it with \`npm run ingest\`.`,
      },
      { status: 413 },
    );
  try {
    const f = parseForm(form, UploadPreviewSchema);
    const token = f[UPLOAD_FIELD];
    if (!state.token || token !== state.token || token === TOO_LARGE)
      throw new InputError("Choose a CSV file to upload.", { field: UPLOAD_FIELD });
    const fileName = state.fileName ?? "upload.csv";
    const bytes = state.bytes ?? 0;
    // the org id and the file are checked, then the staged checks (a rolled-back transaction)
    // for well-formed files, row by row otherwise; a rejected file is audited
    const v = await previewIngest(db, {
      orgId: chosenOrgId(f),
      fileName,
      bytes,
      actor: user.email,
      filePath: fileOf(state.token),
      granularity: f.granularity ?? undefined,
      allowUnbalanced: f.allow_unbalanced,
    });
    if (v.status === "rejected") {
      await cleanup();
      return json<ActionData>({ stage: "rejected", orgId: v.orgId, fileName, summary: pick(v.summary) });
    }
    await savePending({
      token: state.token,
      orgId: v.orgId,
      fileName,
      bytes,
      granularity: f.granularity, // as stated (null = detect, so the stored warnings match the preview)
      allowUnbalanced: f.allow_unbalanced,
      actor: user.email,
      createdAt: Date.now(),
    });
    return json<ActionData>({
      stage: "preview",
      token: state.token,
      orgId: v.orgId,
      fileName,
      bytes,
      allowUnbalanced: f.allow_unbalanced,
      summary: pick(v.summary),
      replaces: v.replaces,
    });
  } catch (e) {
    await cleanup();
    return inputErrorResponse(e, { stage: "error" as const });
  }
}

const fmtBytes = (n: number) =>
  n >= 1048576 ? `${(Math.round((n / 1048576) * 10) / 10).toString()} MB` : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} B`;

export default function NewImport() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const nav = useNavigation();
  const submittingIntent = nav.state === "submitting" ? String(nav.formData?.get("intent") ?? "") : "";
  const orgs = data.orgs;
  const [org, setOrg] = useState<string>(data.preselect || orgs[0]?.id || "__new__");
  const [tooBig, setTooBig] = useState<string | null>(null);
  const maxBytes = Math.floor(Number(data.maxMb || "200") * 1024 * 1024); // a byte count, not money

  const showPreview = result?.stage === "preview" && submittingIntent !== "preview";
  return (
    <div>
      <PageHeader
        title="Upload a cost allocation export"
        description="One CSV per Confluent Cloud organization. Nothing is stored until you confirm the preview."
        actions={
          <Link to="/imports" className={buttonClass.secondary}>
            Import history
          </Link>
        }
      />
      <div className="space-y-6">
        {result?.stage === "error" ? <Alert>{result.error}</Alert> : null}
        {result?.stage === "cancelled" ? <Alert tone="info">Upload discarded. Nothing was stored.</Alert> : null}
        {result?.stage === "unchanged" ? (
          <Alert tone="info">
            {result.message}.{" "}
            <Link className="font-medium underline" to={`/imports/${result.importId}`}>
              View import #{result.importId}
            </Link>
          </Alert>
        ) : null}

        {showPreview && result?.stage === "preview" ? (
          <PreviewCard result={result} submittingIntent={submittingIntent} />
        ) : (
          <Card
            title="1 · Choose the organization and the file"
            description={`CSV up to ${data.maxMb} MB. Columns are matched by header name.`}
          >
            <Form method="post" encType="multipart/form-data" className="space-y-5" data-testid="upload-form">
              <CsrfInput />
              <input type="hidden" name="intent" value="preview" />
              <div className="grid grid-cols-1 gap-5 md:grid-cols-3">
                <div>
                  <label htmlFor="org" className={labelClass}>
                    Organization
                  </label>
                  <select id="org" name="org" value={org} onChange={(e) => setOrg(e.target.value)} className={`mt-1 ${inputClass}`}>
                    {orgs.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name ? `${o.name} (${o.id})` : o.id}
                      </option>
                    ))}
                    <option value="__new__">+ New organization…</option>
                  </select>
                </div>
                <div className={org === "__new__" ? "" : "hidden"}>
                  <label htmlFor="new_org" className={labelClass}>
                    New organization id
                  </label>
                  <input id="new_org" name="new_org" placeholder="e.g. org-a1b2c3 or the org UUID" className={`mt-1 ${inputClass}`} />
                </div>
                <div>
                  <label htmlFor="granularity" className={labelClass}>
                    Granularity
                  </label>
                  <select id="granularity" name="granularity" defaultValue="" className={`mt-1 ${inputClass}`}>
                    <option value="">Detect from the file</option>
                    <option value="daily">Daily</option>
                    <option value="weekly">Weekly</option>
                    <option value="monthly">Monthly</option>
                  </select>
                </div>
              </div>
              <div>
                <label htmlFor="file" className={labelClass}>
                  Export file (.csv)
                </label>
                <input
                  id="file"
                  name={UPLOAD_FIELD}
                  type="file"
                  accept=".csv,text/csv"
                  required
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    setTooBig(f && f.size > maxBytes ? `${f.name} is ${fmtBytes(f.size)}, over the ${data.maxMb} MB upload limit.` : null);
                  }}
                  className="mt-1 block w-full text-sm text-slate-700 file:mr-4 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 hover:file:bg-slate-200"
                />
                {tooBig ? <p className="mt-1 text-sm text-rose-700">{tooBig}</p> : null}
              </div>
              <label className="flex items-start gap-2 text-sm text-slate-700">
                <input type="checkbox" name="allow_unbalanced" className="mt-0.5 rounded border-slate-300" />
                <span>
                  Allow unbalanced groups{" "}
                  <span className="text-slate-500">(load a file that fails only the group-balance rule; each group gets a warning)</span>
                </span>
              </label>
              <div className="flex items-center gap-3">
                <button type="submit" className={buttonClass.primary} disabled={submittingIntent === "preview"}>
                  {submittingIntent === "preview" ? "Uploading and validating…" : "Upload and validate"}
                </button>
                {submittingIntent === "preview" ? <Spinner label="Reading the file; large exports take a little while." /> : null}
              </div>
            </Form>
          </Card>
        )}

        {result?.stage === "rejected" ? (
          <Card
            title={<span className="text-rose-700">The file was rejected — nothing was stored</span>}
            description={`${result.fileName} for ${result.orgId}: ${formatNumber(String(result.summary.errorCount), 0)} problem${result.summary.errorCount === 1 ? "" : "s"} in ${formatNumber(String(result.summary.rowCount), 0)} rows. Fix the file and upload it again.`}
            padded={false}
          >
            <div data-testid="rejected">
              <IssuesTable issues={result.summary.errors} total={result.summary.errorCount} />
            </div>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function Spinner({ label }: { label?: string }) {
  return (
    <span className="inline-flex items-center gap-2 text-sm text-slate-500" role="status">
      <span aria-hidden className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" />
      {label}
    </span>
  );
}

function PreviewCard({ result, submittingIntent }: { result: Extract<ActionData, { stage: "preview" }>; submittingIntent: string }) {
  const s = result.summary;
  const confirming = submittingIntent === "confirm";
  const poll = useFetcher<typeof loader>();
  useEffect(() => {
    if (!confirming) return;
    const id = setInterval(() => poll.load(`/imports/new?progress=${result.token}`), 600);
    return () => clearInterval(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [confirming, result.token]);
  const prog = poll.data?.kind === "progress" ? poll.data.progress : null;
  const replacedRows = result.replaces.reduce((n, r) => n + r.rows, 0);
  return (
    <Card
      title="2 · Check the preview, then confirm"
      description={`${result.fileName} · ${fmtBytes(result.bytes)} · organization ${result.orgId}`}
      actions={<Badge tone="success">valid</Badge>}
    >
      <div className="space-y-5" data-testid="preview">
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
          <Stat
            label="Granularity"
            value={
              <span className="capitalize" data-testid="preview-granularity">
                {s.granularity}
              </span>
            }
          />
          <Stat
            label="Range"
            value={
              <span data-testid="preview-range">
                {s.firstBucket === s.lastBucket ? s.firstBucket : `${s.firstBucket} → ${s.lastBucket}`}
              </span>
            }
            hint={`${s.bucketCount} bucket${s.bucketCount === 1 ? "" : "s"}`}
          />
          <Stat label="Rows" value={formatNumber(String(s.rowCount), 0)} testId="preview-rows" />
          <Stat label="Total chargeback" value={<Money value={s.total} />} testId="preview-total" hint={<>exact: {s.total}</>} />
          <Stat label="Unallocated row(s)" value={<Money value={s.unallocatedTotal} />} hint="spread by the org's policy" />
        </div>
        {s.warnings.length ? (
          <div className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3">
            <p className="mb-2 text-sm font-medium text-amber-900">
              {s.warnings.length} warning{s.warnings.length === 1 ? "" : "s"} (stored with the import)
            </p>
            <Warnings warnings={s.warnings} />
          </div>
        ) : (
          <p className="text-sm text-slate-500">No warnings.</p>
        )}
        {result.replaces.length ? (
          <Alert tone="warning">
            This file replaces {formatNumber(String(replacedRows), 0)} stored row{replacedRows === 1 ? "" : "s"} of{" "}
            {result.replaces.map((r, i) => (
              <span key={r.importId}>
                {i ? ", " : ""}import #{r.importId} (<Money value={r.total} />)
              </span>
            ))}{" "}
            in {s.firstBucket} → {s.lastBucket}. The change is recorded as a restatement.
          </Alert>
        ) : null}
        <div className="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="confirm" />
            <input type="hidden" name="token" value={result.token} />
            <button type="submit" className={buttonClass.primary} disabled={confirming} data-testid="confirm-import">
              {confirming ? "Importing…" : `Import ${formatNumber(String(s.rowCount), 0)} rows`}
            </button>
          </Form>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="cancel" />
            <input type="hidden" name="token" value={result.token} />
            <button type="submit" className={buttonClass.secondary} disabled={confirming}>
              Discard
            </button>
          </Form>
          {confirming ? (
            <div className="min-w-[16rem] flex-1" data-testid="import-progress">
              <Spinner
                label={
                  prog
                    ? prog.state === "done"
                      ? `Done: ${formatNumber(String(prog.rows), 0)} rows loaded.`
                      : `${prog.phase ? prog.phase[0].toUpperCase() + prog.phase.slice(1) : "Loading"}… ${formatNumber(String(prog.rows), 0)} of ${formatNumber(String(s.rowCount), 0)} rows read`
                    : "Loading…"
                }
              />
              <div className="mt-2 h-1.5 w-full overflow-hidden rounded bg-slate-100">
                <div
                  className={cx("h-full bg-indigo-500 transition-all")}
                  style={{ width: `${prog && prog.totalBytes ? Math.min(100, Math.round((prog.bytes / prog.totalBytes) * 100)) : 5}%` }}
                />
              </div>
            </div>
          ) : null}
        </div>
      </div>
    </Card>
  );
}
