// Dev-only fake backend for `vite --mode mock` (see README). Never bundled into
// a production build: vite.config.ts injects it only in mock mode.
//
// URL query parameters pick a scenario, e.g. http://localhost:5173/?scenario=first-run#/settings
//   scenario=first-run   no workspaces yet
//   scenario=closed      workspaces exist, none open
//   ses=error            Test connection fails; ses=sandbox | unlimited for other results
//   creds=keychain | profile | keychain-error   credential status to start with
//   endpoint-env=1       pretend HERALD_SES_ENDPOINT is set
//   policy=1             an IT policy locks the region, relay URL and automatic updates
//   update=available | error   what "Check for updates" finds
import { analyticsMock } from "./mock-analytics";
import { mockIPC } from "@tauri-apps/api/mocks";
import { campaignsCommand } from "./mock-campaigns";
import { contactsCommand } from "./mock-contacts";
import type { AwsKeyPair } from "../src/lib/bindings/AwsKeyPair";
import type { CommandError } from "../src/lib/bindings/CommandError";
import type { CredentialsStatus } from "../src/lib/bindings/CredentialsStatus";
import type { SesAccount } from "../src/lib/bindings/SesAccount";
import type { Settings } from "../src/lib/bindings/Settings";
import type { SettingsView } from "../src/lib/bindings/SettingsView";
import type { Policy } from "../src/lib/bindings/Policy";
import type { UpdatePreferences } from "../src/lib/bindings/UpdatePreferences";
import type { UpdateStatus } from "../src/lib/bindings/UpdateStatus";
import type { WorkspaceInfo } from "../src/lib/bindings/WorkspaceInfo";
import type { WorkspaceSummary } from "../src/lib/bindings/WorkspaceSummary";
import { templatesMock } from "./mock-templates";

const params = new URLSearchParams(window.location.search);
const scenario = params.get("scenario");

type Workspace = {
  info: WorkspaceInfo;
  settings: Settings;
  keys: AwsKeyPair | null;
};

const emptySettings = (): Settings => ({
  from_name: null,
  from_address: null,
  reply_to: null,
  postal_address: null,
  aws_region: null,
  aws_profile: null,
  ses_endpoint: null,
  relay_url: null,
  assets_bucket: null,
  assets_prefix: null,
  assets_public_base_url: null,
  s3_endpoint: null,
  configuration_set: null,
  unsubscribe_mailto: null,
  schedule_grace_hours: null,
  max_send_rate: null,
  bounce_guard_percent: null,
  bounce_guard_min_sent: null,
});

let counter = 0;
function newWorkspace(name: string, settings: Partial<Settings> = {}): Workspace {
  counter += 1;
  return {
    info: {
      id: `ws-${counter}`,
      name,
      path: `/home/maria/.local/share/herald/workspaces/${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      created_at: new Date(2026, 0, counter).toISOString(),
    },
    settings: { ...emptySettings(), ...settings },
    keys: null,
  };
}

const workspaces: Workspace[] =
  scenario === "first-run"
    ? []
    : [
        newWorkspace("Acme Coffee Roasters", {
          from_name: "Acme Coffee",
          from_address: "news@acme-coffee.example",
          postal_address: "Acme Coffee Ltd\n12 Roastery Lane\nBristol BS1 4DJ, United Kingdom",
          aws_region: "eu-west-1",
        }),
        newWorkspace("Northwind Outdoor Supply"),
        newWorkspace(
          "The Very Long Named Regional Association of Independent Booksellers and Friends",
        ),
      ];
let currentId: string | null = scenario === "closed" || scenario === "first-run" ? null : "ws-1";
const lastOpened = "ws-1";

const creds = params.get("creds");
if (creds === "keychain" && workspaces[0]) {
  workspaces[0].keys = { access_key_id: "AKIA" + "IOSFODNN7EXAMPLE", secret_access_key: "x" };
}

function fail(code: string, message: string, fields: CommandError["fields"] = []): never {
  throw { code, message, fields } satisfies CommandError;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function current(): Workspace {
  const ws = workspaces.find((w) => w.info.id === currentId);
  if (!ws) fail("no_workspace", "No workspace is open.");
  return ws;
}

function byName(name: string): Workspace {
  const ws = workspaces.find((w) => w.info.name === name);
  if (!ws) fail("workspace_not_found", `There is no workspace called “${name}”.`);
  return ws;
}

function summary(ws: Workspace): WorkspaceSummary {
  return { name: ws.info.name, path: ws.info.path, last_opened: ws.info.id === lastOpened };
}

function checkName(name: unknown, field: string): string {
  const n = typeof name === "string" ? name.trim() : "";
  if (!n) fail("validation", "Give the workspace a name.", [{ field, message: "Give the workspace a name." }]);
  if (/[/\\]/.test(n)) {
    fail("validation", "Check the name.", [
      { field, message: "A workspace name cannot contain / or \\." },
    ]);
  }
  if (workspaces.some((w) => w.info.name.toLowerCase() === n.toLowerCase())) {
    fail("workspace_exists", `A workspace called “${n}” already exists.`, [
      { field, message: `A workspace called “${n}” already exists.` },
    ]);
  }
  return n;
}

function credentialsStatus(ws: Workspace): CredentialsStatus {
  const keychainError =
    creds === "keychain-error"
      ? "The Secret Service is locked (org.freedesktop.secrets did not answer)."
      : null;
  if (ws.keys) {
    const id = ws.keys.access_key_id;
    return {
      source: "keychain",
      access_key_id: `${id.slice(0, 4)}…${id.slice(-4)}`,
      profile: null,
      description: "Using the access key stored in the keychain for this workspace.",
      keychain_error: null,
    };
  }
  if (ws.settings.aws_profile || creds === "profile") {
    const profile = ws.settings.aws_profile ?? "marketing";
    return {
      source: "profile",
      access_key_id: null,
      profile,
      description: `Using the AWS profile “${profile}” from ~/.aws/config.`,
      keychain_error: keychainError,
    };
  }
  return {
    source: "default_chain",
    access_key_id: null,
    profile: null,
    description:
      "No key stored and no profile set: Herald will use the default AWS credential chain, if it finds any.",
    keychain_error: keychainError,
  };
}

const policy: Policy = params.get("policy")
  ? {
      file: "/etc/herald/policy.json",
      settings: [
        { key: "aws_region", value: "eu-west-1", locked: true },
        { key: "relay_url", value: "https://relay.acme-coffee.example", locked: true },
        { key: "automatic_updates", value: "false", locked: true },
      ],
    }
  : { file: null, settings: [] };
const lockedValue = (key: string) => policy.settings.find((m) => m.key === key && m.locked)?.value;

let updatePrefs: UpdatePreferences = { channel: "stable", automatic: lockedValue("automatic_updates") !== "false" };
let updateStatus: UpdateStatus = {
  current_version: "0.1.0",
  settings: {
    preferences: updatePrefs,
    channel_locked: false,
    automatic_locked: lockedValue("automatic_updates") !== undefined,
  },
  manifest_url: "https://updates.herald.app/stable/latest.json",
  checked_at: null,
  available: null,
};

function view(ws: Workspace): SettingsView {
  const settings = { ...ws.settings };
  for (const m of policy.settings) {
    if (m.locked && m.key in settings) (settings as Record<string, string | null>)[m.key] = m.value;
  }
  return {
    policy,
    settings,
    ses_endpoint_env: params.get("endpoint-env") ? "http://127.0.0.1:8005" : null,
    credentials: credentialsStatus(ws),
  };
}

const emailish = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validateSettings(s: Settings): void {
  const fields: CommandError["fields"] = [];
  if (s.from_address && !emailish.test(s.from_address)) {
    fields.push({ field: "from_address", message: "This is not a valid email address." });
  }
  if (s.reply_to && !emailish.test(s.reply_to)) {
    fields.push({ field: "reply_to", message: "This is not a valid email address." });
  }
  if (s.aws_region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(s.aws_region)) {
    fields.push({ field: "aws_region", message: "Use a region code such as eu-west-1." });
  }
  if (s.ses_endpoint && !/^https?:\/\/\S+$/.test(s.ses_endpoint)) {
    fields.push({ field: "ses_endpoint", message: "Use a full URL such as http://localhost:8005." });
  }
  if (fields.length) fail("validation", "Some settings need fixing.", fields);
}

mockIPC(async (cmd, payload) => {
  const args = (payload ?? {}) as Record<string, unknown>;
  await sleep(cmd === "ses_test_connection" ? 1200 : 120);
  switch (cmd) {
    case "workspaces_list":
      return workspaces.map(summary);
    case "workspaces_current":
      return workspaces.find((w) => w.info.id === currentId)?.info ?? null;
    case "workspaces_create": {
      const ws = newWorkspace(checkName(args.name, "name"));
      workspaces.push(ws);
      currentId = ws.info.id;
      return ws.info;
    }
    case "workspaces_open": {
      const ws = byName(String(args.name));
      currentId = ws.info.id;
      return ws.info;
    }
    case "workspaces_rename": {
      const ws = byName(String(args.name));
      ws.info = { ...ws.info, name: checkName(args.to, "to") };
      return summary(ws);
    }
    case "workspaces_delete": {
      const ws = byName(String(args.name));
      if (args.confirmation !== ws.info.name) {
        fail("confirmation_mismatch", "Type the workspace's name exactly to delete it.");
      }
      workspaces.splice(workspaces.indexOf(ws), 1);
      if (currentId === ws.info.id) currentId = null;
      return null;
    }
    case "settings_get":
      return view(current());
    case "settings_save": {
      const ws = current();
      const next = args.settings as Settings;
      if (next.from_name === "boom") fail("keychain", "The settings file is locked by another program.");
      validateSettings(next);
      const managed = policy.settings
        .filter((m) => m.locked && (next as Record<string, string | null>)[m.key] !== m.value)
        .map((m) => ({ field: m.key, message: "Managed by your IT department" }));
      if (managed.length) fail("validation", "Managed by your IT department", managed);
      ws.settings = { ...next };
      return view(ws);
    }
    case "credentials_set": {
      const ws = current();
      const keys = args.keys as AwsKeyPair;
      const fields: CommandError["fields"] = [];
      if (!/^A[KS]IA[A-Z0-9]{12,}$/.test(keys.access_key_id)) {
        fields.push({ field: "access_key_id", message: "Access key IDs start with AKIA or ASIA." });
      }
      if (keys.secret_access_key.length < 20) {
        fields.push({ field: "secret_access_key", message: "This secret is too short." });
      }
      if (fields.length) fail("validation", "Check the key.", fields);
      ws.keys = { ...keys };
      return view(ws);
    }
    case "credentials_clear": {
      const ws = current();
      ws.keys = null;
      return view(ws);
    }
    case "ses_test_connection": {
      const ws = current();
      const mode = params.get("ses");
      if (mode === "error") {
        fail(
          "ses_auth",
          "Amazon SES rejected the credentials: the security token included in the request is invalid. Check the access key ID and secret.",
        );
      }
      const account: SesAccount = {
        sending_enabled: true,
        production_access: mode !== "sandbox",
        enforcement_status: "HEALTHY",
        max_send_rate: mode === "sandbox" ? 1 : 14,
        max_24_hour_send: mode === "unlimited" ? -1 : mode === "sandbox" ? 200 : 50000,
        sent_last_24_hours: mode === "sandbox" ? 12 : 1234,
        region: ws.settings.aws_region ?? "us-east-1",
        endpoint: ws.settings.ses_endpoint,
        credential_source: credentialsStatus(ws).source,
      };
      return account;
    }
    case "updates_get":
      return updateStatus;
    case "updates_save": {
      updatePrefs = args.preferences as UpdatePreferences;
      updateStatus = { ...updateStatus, settings: { ...updateStatus.settings, preferences: updatePrefs } };
      return updateStatus;
    }
    case "updates_check": {
      await sleep(900);
      if (params.get("update") === "error") {
        fail(
          "update_check_failed",
          "Herald could not check for updates (error sending request). Check the network connection and try again later.",
        );
      }
      updateStatus = {
        ...updateStatus,
        checked_at: new Date().toISOString(),
        available:
          params.get("update") === "available"
            ? { version: "0.2.0", notes: "Segments, a faster import and many fixes.", date: null }
            : null,
      };
      return updateStatus;
    }
    case "updates_install":
      await sleep(1500);
      fail("update_install_failed", "The mock backend cannot install updates.");
      break;

    default: {
      const out = templatesMock(cmd, args, fail) ?? analyticsMock(cmd, args);
      if (out !== undefined) return out;
      const campaignsOut = campaignsCommand(cmd, args, fail);
      if (campaignsOut !== undefined) return campaignsOut;
      const answer = await contactsCommand(cmd, args, fail);
      if (answer === undefined) fail("unknown", `The mock backend has no command “${cmd}”.`);
      return answer;
    }
  }
}, { shouldMockEvents: true });
