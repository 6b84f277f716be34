import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SettingsView } from "$lib/bindings/SettingsView";

const saveSettings = vi.fn();
vi.mock("$lib/api/settings", () => ({
  saveSettings: (...args: unknown[]) => saveSettings(...args),
}));

const { default: SettingsForm } = await import("./SettingsForm.svelte");

function view(): SettingsView {
  return {
    settings: {
      from_name: "Acme",
      from_address: "news@acme.example",
      reply_to: null,
      postal_address: "1 Main St",
      aws_region: "eu-west-1",
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
    },
    ses_endpoint_env: null,
    policy: { file: null, settings: [] },
    credentials: {
      source: "default_chain",
      access_key_id: null,
      profile: null,
      description: "Default chain.",
      keychain_error: null,
    },
  };
}

beforeEach(() => {
  saveSettings.mockReset();
});

describe("SettingsForm", () => {
  it("keeps Save disabled until something changes", async () => {
    render(SettingsForm, { view: view(), onsaved: () => {} });
    const save = screen.getByTestId("settings-save");
    expect(save).toBeDisabled();
    await userEvent.type(screen.getByTestId("settings-from_name"), " Coffee");
    expect(save).toBeEnabled();
  });

  it("shows a field error under its field and keeps the typed input", async () => {
    saveSettings.mockImplementation(() =>
      Promise.reject({
        code: "validation",
        message: "Some settings need fixing.",
        fields: [{ field: "from_address", message: "This is not a valid email address." }],
      }),
    );
    render(SettingsForm, { view: view(), onsaved: () => {} });
    const input = screen.getByTestId("settings-from_address");
    await userEvent.clear(input);
    await userEvent.type(input, "not-an-email{Enter}");

    const error = await screen.findByTestId("error-from_address");
    expect(error).toHaveTextContent("This is not a valid email address.");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input.getAttribute("aria-describedby")).toBe(error.id);
    expect(input).toHaveValue("not-an-email");
    expect(screen.queryByTestId("settings-error")).toBeNull();
    expect(saveSettings).toHaveBeenCalledWith(
      expect.objectContaining({ from_address: "not-an-email", reply_to: null }),
    );
  });

  it("shows other errors in the banner", async () => {
    saveSettings.mockImplementation(() => Promise.reject("disk full"));
    render(SettingsForm, { view: view(), onsaved: () => {} });
    await userEvent.type(screen.getByTestId("settings-from_name"), "!");
    await userEvent.click(screen.getByTestId("settings-save"));
    expect(await screen.findByTestId("settings-error")).toHaveTextContent("disk full");
  });

  it("confirms a successful save", async () => {
    const onsaved = vi.fn();
    saveSettings.mockImplementation(async (settings) => ({ ...view(), settings }));
    render(SettingsForm, { view: view(), onsaved });
    await userEvent.type(screen.getByTestId("settings-from_name"), " Coffee");
    await userEvent.click(screen.getByTestId("settings-save"));
    expect(await screen.findByTestId("settings-saved")).toHaveTextContent("Saved");
    await waitFor(() => expect(screen.getByTestId("settings-save")).toBeDisabled());
    expect(onsaved).toHaveBeenCalledOnce();
  });

  it("shows settings the IT policy locks as managed and disabled", async () => {
    const managed = view();
    managed.policy = {
      file: "/etc/herald/policy.json",
      settings: [
        { key: "aws_region", value: "eu-west-1", locked: true },
        { key: "relay_url", value: "https://relay.example.com", locked: false },
      ],
    };
    render(SettingsForm, { view: managed, onsaved: () => {} });
    const region = screen.getByTestId("settings-aws_region");
    expect(region).toBeDisabled();
    expect(screen.getByTestId("settings-aws_region-managed")).toHaveTextContent("Managed");
    expect(region.getAttribute("aria-describedby")).toBe("settings-aws_region-managed");
    expect(document.getElementById("settings-aws_region-managed")).toHaveTextContent(
      "Managed by your IT department",
    );
    // A preset is only a default: still editable, no badge.
    expect(screen.getByTestId("settings-relay_url")).toBeEnabled();
    expect(screen.queryByTestId("settings-relay_url-managed")).toBeNull();
  });

  it("follows settings changed elsewhere on the page, keeping an edit in progress", async () => {
    const { rerender } = render(SettingsForm, { view: view(), onsaved: () => {} });
    await userEvent.type(screen.getByTestId("settings-from_name"), " Coffee");
    const changed = view();
    changed.settings.relay_url = "https://relay.acme.example";
    changed.settings.configuration_set = "herald-3f1c2d4e0000";
    await rerender({ view: changed, onsaved: () => {} });
    expect(screen.getByTestId("settings-relay_url")).toHaveValue("https://relay.acme.example");
    expect(screen.getByTestId("settings-from_name")).toHaveValue("Acme Coffee");

    // Saving now keeps what was changed elsewhere (the configuration set is not on this form).
    saveSettings.mockResolvedValue(changed);
    await userEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(saveSettings).toHaveBeenCalled());
    const sent = saveSettings.mock.calls[0][0];
    expect(sent.configuration_set).toBe("herald-3f1c2d4e0000");
    expect(sent.relay_url).toBe("https://relay.acme.example");
    expect(sent.from_name).toBe("Acme Coffee");
  });
});
