// The campaign wizard's steps: their order, which ones a draft may open at, and what each
// still needs before the next one. Pure functions, so the rules are tested without a page.

export const wizardSteps = [
  { id: "name", title: "Name" },
  { id: "audience", title: "Audience" },
  { id: "template", title: "Template" },
  { id: "content", title: "Content" },
  { id: "schedule", title: "Schedule" },
  { id: "review", title: "Review" },
] as const;

export type WizardStep = (typeof wizardSteps)[number]["id"];

export function isWizardStep(value: unknown): value is WizardStep {
  return wizardSteps.some((s) => s.id === value);
}

export function stepIndex(step: WizardStep): number {
  return wizardSteps.findIndex((s) => s.id === step);
}

export function nextStep(step: WizardStep): WizardStep | null {
  return wizardSteps[stepIndex(step) + 1]?.id ?? null;
}

export function previousStep(step: WizardStep): WizardStep | null {
  const i = stepIndex(step);
  return i > 0 ? wizardSteps[i - 1].id : null;
}

/** The parts of a draft the step rules look at. */
export interface DraftFacts {
  name: string;
  /** Anyone chosen to include (segments, tags or contacts), before exclusions. */
  hasAudience: boolean;
  template_id: number | null;
  body_source: string | null;
  subject: string;
  /** "now", or a chosen time (already checked to be valid); null before the user chose. */
  when: "now" | "later" | null;
}

/** What is still missing before the user may leave `step` forwards; null when nothing. */
export function missingFor(step: WizardStep, d: DraftFacts): string | null {
  switch (step) {
    case "name":
      return d.name.trim() ? null : "Give the campaign a name.";
    case "audience":
      return d.hasAudience ? null : "Choose at least one segment, tag or contact to send to.";
    case "template":
      return d.template_id !== null || d.body_source ? null : "Choose a template to start from.";
    case "content":
      if (!d.subject.trim()) return "Write a subject line.";
      return d.body_source?.trim() ? null : "The email has no content yet.";
    case "schedule":
      return d.when ? null : "Choose to send now or at a later time.";
    case "review":
      return null;
  }
}

/** The furthest step the draft can be shown at: every step before it is complete. */
export function furthestReachable(d: DraftFacts): WizardStep {
  for (const s of wizardSteps) {
    if (missingFor(s.id, d) !== null) return s.id;
  }
  return "review";
}

/**
 * Where a draft reopens: the step it was left at, unless an earlier step is incomplete
 * (e.g. the template was deleted since) — then that one, so nothing is skipped.
 */
export function reopenStep(saved: string | null | undefined, d: DraftFacts): WizardStep {
  const furthest = furthestReachable(d);
  if (!isWizardStep(saved)) return furthest;
  return stepIndex(saved) <= stepIndex(furthest) ? saved : furthest;
}

/** Whether the stepper lets the user jump to `target` (back always; forward only over complete steps). */
export function canJumpTo(target: WizardStep, current: WizardStep, d: DraftFacts): boolean {
  if (stepIndex(target) <= stepIndex(current)) return true;
  return stepIndex(target) <= stepIndex(furthestReachable(d));
}
