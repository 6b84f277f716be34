import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Campaign, CampaignDraft } from "$lib/api/campaigns";

const getCampaign = vi.fn();
const updateCampaign = vi.fn();
const createCampaign = vi.fn();
const countAudience = vi.fn();
vi.mock("$lib/api/campaigns", () => ({
  getCampaign: (...a: unknown[]) => getCampaign(...a),
  updateCampaign: (...a: unknown[]) => updateCampaign(...a),
  createCampaign: (...a: unknown[]) => createCampaign(...a),
  countAudience: (...a: unknown[]) => countAudience(...a),
  emptyAudience: () => ({ segments: [], tags: [], contacts: [], exclude_segments: [], exclude_tags: [], exclude_contacts: [] }),
}));
vi.mock("$lib/api/settings", () => ({ getSettings: async () => null }));
vi.mock("$lib/api/segments", () => ({ listSegments: async () => [] }));
vi.mock("$lib/api/tags", () => ({
  listTags: async () => [{ id: 4, name: "Customers", colour: "#0ea5e9", contact_count: 3 }],
}));
vi.mock("$lib/api/contacts", () => ({ getContact: async () => null, listContacts: async () => ({ items: [] }) }));

const { default: CampaignWizard } = await import("./CampaignWizard.svelte");

function campaign(partial: Partial<Campaign> = {}): Campaign {
  return {
    id: 7,
    name: "Autumn roasts",
    status: "draft",
    draft_step: "audience",
    audience: { segments: [], tags: [4], contacts: [], exclude_segments: [], exclude_tags: [], exclude_contacts: [] },
    template_id: null,
    subject: "",
    preheader: "",
    body_source: null,
    body_format: null,
    from_name: null,
    from_address: null,
    reply_to: null,
    scheduled_at: null,
    schedule_time_zone: null,
    send_rate: null,
    pause_kind: null,
    pause_reason: null,
    resume_at: null,
    created_at: "2026-11-27T09:00:00Z",
    updated_at: "2026-11-27T09:00:00Z",
    started_at: null,
    finished_at: null,
    ...partial,
  };
}

beforeEach(() => {
  getCampaign.mockReset();
  updateCampaign.mockReset();
  createCampaign.mockReset();
  countAudience.mockReset();
  countAudience.mockResolvedValue({ recipients: 3, left_out: 1 });
  updateCampaign.mockImplementation(async (id: number, draft: CampaignDraft) => campaign({ id, ...draft }));
});

describe("the campaign wizard", () => {
  it("reopens a draft at the step it was left at", async () => {
    getCampaign.mockResolvedValue(campaign({ draft_step: "audience" }));
    render(CampaignWizard, { id: 7 });
    await waitFor(() => expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "audience"));
    expect(screen.getByTestId("wizard-step-audience")).toHaveAttribute("aria-current", "step");
    await waitFor(() => expect(screen.getByTestId("audience-count")).toHaveTextContent("3 recipients"));
  });

  it("never reopens past a step that is no longer complete", async () => {
    getCampaign.mockResolvedValue(campaign({ draft_step: "content", template_id: null, body_source: null }));
    render(CampaignWizard, { id: 7 });
    await waitFor(() => expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "template"));
  });

  it("saves the whole draft with the next step when moving on, and refuses to move on with nobody chosen", async () => {
    const user = userEvent.setup();
    getCampaign.mockResolvedValue(campaign({ audience: { segments: [], tags: [], contacts: [], exclude_segments: [], exclude_tags: [], exclude_contacts: [] } }));
    render(CampaignWizard, { id: 7 });
    await waitFor(() => expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "audience"));

    await user.click(screen.getByTestId("wizard-next"));
    expect(screen.getByTestId("wizard-step-problem")).toHaveTextContent("Choose at least one segment, tag or contact");
    expect(updateCampaign).not.toHaveBeenCalled();

    await user.click(await screen.findByTestId("audience-include-tag"));
    await user.click(screen.getByTestId("wizard-next"));
    await waitFor(() => expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "template"));
    expect(updateCampaign).toHaveBeenCalledTimes(1);
    const [id, draft] = updateCampaign.mock.calls[0] as [number, CampaignDraft];
    expect(id).toBe(7);
    expect(draft.draft_step).toBe("template");
    expect(draft.audience.tags).toEqual([4]);
    expect(draft.name).toBe("Autumn roasts");
  });

  it("keeps the user on the step with the backend's field error when saving fails", async () => {
    const user = userEvent.setup();
    getCampaign.mockResolvedValue(campaign({ draft_step: "name" }));
    updateCampaign.mockRejectedValue({
      code: "validation",
      message: "Another campaign already has this name.",
      fields: [{ field: "name", message: "Another campaign already has this name." }],
    });
    render(CampaignWizard, { id: 7 });
    await waitFor(() => expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "name"));
    await user.click(screen.getByTestId("wizard-next"));
    await waitFor(() => expect(screen.getByTestId("campaign-name-error")).toHaveTextContent("Another campaign already has this name."));
    expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "name");
  });
});

describe("the step problem", () => {
  it("goes away as soon as the user fixes it", async () => {
    const user = userEvent.setup();
    getCampaign.mockResolvedValue(campaign({ name: "", draft_step: "name" }));
    render(CampaignWizard, { id: 7 });
    await waitFor(() => expect(screen.getByTestId("campaign-wizard")).toHaveAttribute("data-step", "name"));
    await user.click(screen.getByTestId("wizard-next"));
    expect(screen.getByTestId("wizard-step-problem")).toHaveTextContent("Give the campaign a name");
    await user.type(screen.getByTestId("campaign-name"), "Winter");
    expect(screen.queryByTestId("wizard-step-problem")).toBeNull();
  });
});
