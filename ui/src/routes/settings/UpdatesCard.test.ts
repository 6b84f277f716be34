import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { UpdateStatus } from "$lib/bindings/UpdateStatus";

const api = {
  getUpdates: vi.fn(),
  saveUpdatePreferences: vi.fn(),
  checkForUpdates: vi.fn(),
  installUpdate: vi.fn(),
  onUpdateProgress: vi.fn(async () => () => {}),
};
vi.mock("$lib/api/updates", () => api);

const { default: UpdatesCard } = await import("./UpdatesCard.svelte");

function status(overrides: Partial<UpdateStatus> = {}): UpdateStatus {
  return {
    current_version: "0.1.0",
    settings: {
      preferences: { channel: "stable", automatic: true },
      channel_locked: false,
      automatic_locked: false,
    },
    manifest_url: "https://updates.herald.app/stable/latest.json",
    checked_at: null,
    available: null,
    ...overrides,
  };
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.onUpdateProgress.mockImplementation(async () => () => {});
});

describe("UpdatesCard", () => {
  it("checks and says when Herald is up to date", async () => {
    api.getUpdates.mockResolvedValue(status());
    api.checkForUpdates.mockResolvedValue(status({ checked_at: "2026-11-27T08:00:00Z" }));
    render(UpdatesCard);
    expect(await screen.findByTestId("updates-state")).toHaveTextContent("Not checked yet.");
    await userEvent.click(screen.getByTestId("updates-check"));
    expect(await screen.findByText(/Herald is up to date/)).toBeInTheDocument();
    expect(screen.queryByTestId("updates-install")).toBeNull();
  });

  it("offers a found update and shows a failed check", async () => {
    api.getUpdates.mockResolvedValue(status());
    api.checkForUpdates
      .mockResolvedValueOnce(
        status({
          checked_at: "2026-11-27T08:00:00Z",
          available: { version: "0.2.0", notes: "Faster import.", date: null },
        }),
      )
      .mockRejectedValueOnce({
        code: "update_check_failed",
        message: "Herald could not check for updates (dns error).",
        fields: [],
      });
    render(UpdatesCard);
    await userEvent.click(await screen.findByTestId("updates-check"));
    expect(await screen.findByTestId("updates-install")).toHaveTextContent(
      "Install 0.2.0 and restart",
    );
    expect(screen.getByTestId("updates-state")).toHaveTextContent("Version 0.2.0 is available.");
    await userEvent.click(screen.getByTestId("updates-check"));
    expect(await screen.findByTestId("updates-error")).toHaveTextContent("dns error");
  });

  it("disables what the IT policy locks", async () => {
    api.getUpdates.mockResolvedValue(
      status({
        settings: {
          preferences: { channel: "stable", automatic: false },
          channel_locked: true,
          automatic_locked: true,
        },
      }),
    );
    render(UpdatesCard);
    expect(await screen.findByTestId("updates-channel")).toBeDisabled();
    expect(screen.getByTestId("updates-automatic")).toBeDisabled();
    expect(screen.getByTestId("updates-automatic")).not.toBeChecked();
    expect(screen.getByTestId("updates-channel-managed")).toHaveTextContent("Managed");
    expect(screen.getByTestId("updates-managed-note")).toHaveTextContent("IT department");
  });

  it("saves a changed preference", async () => {
    api.getUpdates.mockResolvedValue(status());
    api.saveUpdatePreferences.mockImplementation(async (preferences) =>
      status({ settings: { preferences, channel_locked: false, automatic_locked: false } }),
    );
    render(UpdatesCard);
    await userEvent.selectOptions(await screen.findByTestId("updates-channel"), "beta");
    expect(api.saveUpdatePreferences).toHaveBeenCalledWith({ channel: "beta", automatic: true });
    await userEvent.click(screen.getByTestId("updates-automatic"));
    expect(api.saveUpdatePreferences).toHaveBeenLastCalledWith({ channel: "beta", automatic: false });
  });
});
