import type { EventsStatus } from "$lib/bindings/EventsStatus";
import type { IngestReport } from "$lib/bindings/IngestReport";
import type { PollReport } from "$lib/bindings/PollReport";
import type { PollState } from "$lib/bindings/PollState";
import { call } from "./client";

export type { EventsStatus, IngestReport, PollReport, PollState };

/** Emitted by the app after a poll stored events, so open pages can refresh. */
export const POLLED_EVENT = "events://polled";

export const eventsStatus = () => call<EventsStatus>("events_status");

/** Stores the relay token in the OS keychain; an empty token removes it. */
export const setRelayToken = (token: string) => call<EventsStatus>("events_set_token", { token });

/** Pulls every waiting event from the relay now. */
export const pollEvents = () => call<PollReport>("events_poll");
