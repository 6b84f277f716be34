import type { AwsKeyPair } from "$lib/bindings/AwsKeyPair";
import type { CredentialSource } from "$lib/bindings/CredentialSource";
import type { DnsRecord } from "$lib/bindings/DnsRecord";
import type { IdentityStatus } from "$lib/bindings/IdentityStatus";
import type { VerificationState } from "$lib/bindings/VerificationState";
import type { SesAccount } from "$lib/bindings/SesAccount";
import type { Settings } from "$lib/bindings/Settings";
import type { SettingsView } from "$lib/bindings/SettingsView";
import { call } from "./client";

export type {
  AwsKeyPair,
  CredentialSource,
  DnsRecord,
  IdentityStatus,
  SesAccount,
  Settings,
  SettingsView,
  VerificationState,
};

export const getSettings = () => call<SettingsView>("settings_get");

export const saveSettings = (settings: Settings) =>
  call<SettingsView>("settings_save", { settings });

/** Stores the key pair in the OS keychain for the open workspace. */
export const setCredentials = (keys: AwsKeyPair) => call<SettingsView>("credentials_set", { keys });

export const clearCredentials = () => call<SettingsView>("credentials_clear");

/** Calls SES `GetAccount` with the saved settings; can take a few seconds. */
export const testConnection = () => call<SesAccount>("ses_test_connection");

/** The sender identity's verification, DKIM and MAIL FROM status (SES `GetEmailIdentity`). */
export const identityStatus = (identity: string) =>
  call<IdentityStatus>("ses_identity_status", { identity });

/** Whether Herald starts when the user logs in to this computer. */
export const getAutostart = () => call<boolean>("autostart_get");

export const setAutostart = (enabled: boolean) => call<boolean>("autostart_set", { enabled });
