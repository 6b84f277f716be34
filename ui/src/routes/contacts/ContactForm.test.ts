import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

const createContact = vi.fn();
const findContactByEmail = vi.fn();
vi.mock("$lib/api/contacts", () => ({
  contactStatuses: ["subscribed", "unsubscribed", "bounced", "complained", "blocked"],
  createContact: (...a: unknown[]) => createContact(...a),
  updateContact: vi.fn(),
  findContactByEmail: (...a: unknown[]) => findContactByEmail(...a),
}));

const { default: ContactForm } = await import("./ContactForm.svelte");

beforeEach(() => {
  createContact.mockReset();
  findContactByEmail.mockReset();
  // jsdom has no <dialog> methods.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
});

describe("ContactForm", () => {
  it("asks for an email before calling the backend", async () => {
    render(ContactForm, { open: true, contact: null, onsaved: vi.fn() });
    await userEvent.click(screen.getByTestId("contact-save"));
    expect(await screen.findByTestId("error-email")).toHaveTextContent("Enter the contact's email address.");
    expect(createContact).not.toHaveBeenCalled();
  });

  it("names a duplicate address with a link to the contact that has it, keeping the input", async () => {
    createContact.mockRejectedValue({
      code: "duplicate_email",
      message: "Another contact (#7) already has the address ada@example.org.",
      fields: [{ field: "email", message: "Another contact (#7) already has the address ada@example.org." }],
    });
    findContactByEmail.mockResolvedValue(7);
    render(ContactForm, { open: true, contact: null, onsaved: vi.fn() });
    await userEvent.type(screen.getByTestId("contact-email"), "ADA@example.org");
    await userEvent.type(screen.getByTestId("contact-first_name"), "Ada");
    await userEvent.click(screen.getByTestId("contact-save"));
    const link = await screen.findByRole("link", { name: "Open that contact" });
    expect(link).toHaveAttribute("href", "#/contacts/7");
    expect(screen.getByTestId("error-email")).toHaveTextContent("A contact with this email already exists.");
    expect(screen.getByTestId("contact-first_name")).toHaveValue("Ada");
    expect(findContactByEmail).toHaveBeenCalledWith("ADA@example.org");
  });

  it("sends trimmed values and the chosen status", async () => {
    const onsaved = vi.fn();
    createContact.mockResolvedValue({ id: 3 });
    render(ContactForm, { open: true, contact: null, onsaved });
    await userEvent.type(screen.getByTestId("contact-email"), "  grace@example.org ");
    await userEvent.selectOptions(screen.getByTestId("contact-status"), "unsubscribed");
    await userEvent.click(screen.getByTestId("contact-save"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith({ id: 3 }));
    expect(createContact).toHaveBeenCalledWith({
      email: "grace@example.org",
      first_name: "",
      last_name: "",
      status: "unsubscribed",
      tag_ids: [],
      values: {},
    });
  });
});
