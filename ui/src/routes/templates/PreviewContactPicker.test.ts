import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Contact } from "$lib/api/contacts";
import type { RenderContact } from "$lib/api/templates";

const listContacts = vi.fn();
const renderContact = vi.fn();
vi.mock("$lib/api/contacts", () => ({ listContacts: (...a: unknown[]) => listContacts(...a) }));
vi.mock("$lib/api/templates", () => ({ renderContact: (...a: unknown[]) => renderContact(...a) }));

const { default: PreviewContactPicker } = await import("./PreviewContactPicker.svelte");

function stored(id: number, email: string, first: string, last = ""): Contact {
  return {
    id,
    email,
    first_name: first,
    last_name: last,
    status: "subscribed",
    source: "manual",
    import_id: null,
    created_at: "2026-11-27T09:00:00Z",
    updated_at: "2026-11-27T09:00:00Z",
    tags: [],
    values: {},
  };
}

const people = [stored(1, "ann@example.com", "Ann", "Lee"), stored(2, "bo@example.com", "Bo"), stored(3, "cy@example.com", "")];

beforeEach(() => {
  listContacts.mockReset();
  renderContact.mockReset();
  listContacts.mockImplementation(async (q: { search?: string }) => {
    const items = people.filter((p) => !q.search || p.email.includes(q.search.toLowerCase()) || p.first_name.toLowerCase().startsWith(q.search.toLowerCase()));
    return { items, total: items.length, page: 1, page_size: 8 };
  });
  renderContact.mockImplementation(async (id: number) => {
    const p = people.find((c) => c.id === id)!;
    return { email: p.email, first_name: p.first_name || null, last_name: p.last_name || null, status: "subscribed", fields: { plan: id === 2 ? "Pro" : null } };
  });
});

const sample: RenderContact = {
  email: "alex.morgan@example.com",
  first_name: "Alex",
  last_name: "Morgan",
  status: "subscribed",
  fields: { company: "Northwind Traders" },
};

describe("PreviewContactPicker", () => {
  it("shows the sample contact, and previews as an edited copy of it", async () => {
    const user = userEvent.setup();
    const onchange = vi.fn();
    render(PreviewContactPicker, { contact: null, sample, onchange });
    expect(screen.getByTestId("preview-contact-name")).toHaveTextContent("Alex Morgan");

    await user.click(screen.getByTestId("preview-contact"));
    expect(screen.getByTestId("preview-contact-first")).toHaveValue("Alex");
    await user.clear(screen.getByTestId("preview-contact-first"));
    await user.type(screen.getByTestId("preview-contact-first"), "Jamie");
    await user.click(screen.getByTestId("preview-contact-apply"));

    expect(onchange).toHaveBeenCalledWith({ ...sample, first_name: "Jamie" });
    expect(screen.getByTestId("preview-contact-name")).toHaveTextContent("Jamie Morgan");
    expect(screen.queryByTestId("preview-contact-form")).not.toBeInTheDocument();
  });

  it("treats blank names as missing and goes back to the sample contact", async () => {
    const user = userEvent.setup();
    const onchange = vi.fn();
    render(PreviewContactPicker, { contact: null, sample, onchange });
    await user.click(screen.getByTestId("preview-contact"));
    await user.clear(screen.getByTestId("preview-contact-first"));
    await user.clear(screen.getByTestId("preview-contact-last"));
    await user.click(screen.getByTestId("preview-contact-apply"));
    expect(onchange).toHaveBeenLastCalledWith({ ...sample, first_name: null, last_name: null });
    expect(screen.getByTestId("preview-contact-name")).toHaveTextContent(sample.email);

    await user.click(screen.getByTestId("preview-contact"));
    await user.click(screen.getByRole("button", { name: "Use the sample contact" }));
    expect(onchange).toHaveBeenLastCalledWith(null);
    expect(screen.getByTestId("preview-contact-name")).toHaveTextContent("Alex Morgan");
  });
});

describe("PreviewContactPicker among the workspace's contacts", () => {
  it("searches as you type and picks with the keyboard, showing the name and email", async () => {
    const user = userEvent.setup();
    const onchange = vi.fn();
    render(PreviewContactPicker, { contact: null, sample, onchange });
    await user.click(screen.getByTestId("preview-contact"));
    await user.click(screen.getByTestId("preview-contact-mode-contacts"));
    await waitFor(() => expect(screen.getAllByTestId("preview-contact-option")).toHaveLength(3));
    expect(screen.getByTestId("preview-contact-search")).toHaveFocus();
    // A contact without a name is listed by its email.
    expect(screen.getAllByTestId("preview-contact-option")[2]).toHaveTextContent("cy@example.com");

    await user.type(screen.getByTestId("preview-contact-search"), "b");
    await waitFor(() => expect(screen.getAllByTestId("preview-contact-option")).toHaveLength(1));
    expect(listContacts).toHaveBeenLastCalledWith(expect.objectContaining({ search: "b", columns: [] }));
    await user.clear(screen.getByTestId("preview-contact-search"));
    await waitFor(() => expect(screen.getAllByTestId("preview-contact-option")).toHaveLength(3));

    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByTestId("preview-contact-option")[1]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(screen.getAllByTestId("preview-contact-option")[2]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");

    await waitFor(() => expect(onchange).toHaveBeenCalledTimes(1));
    expect(renderContact).toHaveBeenCalledWith(2);
    expect(onchange).toHaveBeenCalledWith({ email: "bo@example.com", first_name: "Bo", last_name: null, status: "subscribed", fields: { plan: "Pro" } });
    expect(screen.queryByTestId("preview-contact-popover")).not.toBeInTheDocument();
    expect(screen.getByTestId("preview-contact-name")).toHaveTextContent("Bo");
    expect(screen.getByTestId("preview-contact-address")).toHaveTextContent("bo@example.com");

    // Reopening shows the contacts, the current one marked; Escape closes without a change.
    await user.click(screen.getByTestId("preview-contact"));
    expect(screen.getByTestId("preview-contact-search")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("preview-contact-popover")).not.toBeInTheDocument();
    expect(onchange).toHaveBeenCalledTimes(1);

    await user.click(screen.getByTestId("preview-contact"));
    await user.click(screen.getByTestId("preview-contact-reset"));
    expect(onchange).toHaveBeenLastCalledWith(null);
    expect(screen.getByTestId("preview-contact-name")).toHaveTextContent("Alex Morgan");
    expect(screen.queryByTestId("preview-contact-address")).not.toBeInTheDocument();
  });

  it("says when nothing matches and when the workspace has no contacts", async () => {
    const user = userEvent.setup();
    render(PreviewContactPicker, { contact: null, sample, onchange: vi.fn() });
    await user.click(screen.getByTestId("preview-contact"));
    await user.click(screen.getByTestId("preview-contact-mode-contacts"));
    await user.type(screen.getByTestId("preview-contact-search"), "zz");
    expect(await screen.findByTestId("preview-contact-empty")).toHaveTextContent("No contact matches “zz”.");

    listContacts.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 8 });
    await user.clear(screen.getByTestId("preview-contact-search"));
    await waitFor(() => expect(screen.getByTestId("preview-contact-empty")).toHaveTextContent("No contacts yet"));
  });
});
