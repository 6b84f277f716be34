import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { RenderContact } from "$lib/api/templates";
import PreviewContactPicker from "./PreviewContactPicker.svelte";

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
