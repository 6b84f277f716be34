import type { AwsKeyPair } from "$lib/bindings/AwsKeyPair";
import type { CredentialSource } from "$lib/bindings/CredentialSource";
import type { SesAccount } from "$lib/bindings/SesAccount";
import type { Settings } from "$lib/bindings/Settings";
import type { SettingsView } from "$lib/bindings/SettingsView";
import { call } from "./client";

export type { AwsKeyPair, CredentialSource, SesAccount, Settings, SettingsView };

export const getSettings = () => call<SettingsView>("settings_get");

export const saveSettings = (settings: Settings) =>
  call<SettingsView>("settings_save", { settings });

/** Stores the key pair in the OS keychain for the open workspace. */
export const setCredentials = (keys: AwsKeyPair) => call<SettingsView>("credentials_set", { keys });

export const clearCredentials = () => call<SettingsView>("credentials_clear");

/** Calls SES `GetAccount` with the saved settings; can take a few seconds. */
export const testConnection = () => call<SesAccount>("ses_test_connection");
