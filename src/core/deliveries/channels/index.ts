/**
 * The delivery channels of PRODUCT.md §6, listed once. A new channel is a module of its own (name,
 * label, events, flags, message, send step, and its port) added to CHANNELS, plus its adapter and
 * the line that builds it (docs/contributing.md).
 */
import type { DeliveryPurpose } from '../../ports.js';
import { chatChannel } from './chat.js';
import type { ChannelDefinition } from './definition.js';
import { emailChannel } from './email.js';
import { ticketChannel } from './ticket-note.js';
import { trackerChannel } from './tracker.js';

export const CHANNELS = [emailChannel, trackerChannel, chatChannel, ticketChannel] as const;

type Channel = (typeof CHANNELS)[number];
export type DeliveryChannel = Channel['name'];
type PortOf<C> = C extends ChannelDefinition<string, string, infer P> ? P : never;

/** The adapters, one per channel, under each channel's port key. */
export type DeliveryChannels = { [C in Channel as C['portKey']]: PortOf<C> };

export const CHANNEL_NAMES: readonly DeliveryChannel[] = CHANNELS.map((c) => c.name);

/** The channels an event (a delivery purpose) is delivered on, in catalogue order. */
export function channelsFor(purpose: DeliveryPurpose): DeliveryChannel[] {
  return CHANNELS.filter((c) => c.purposes.includes(purpose)).map((c) => c.name);
}

export function channelNamed(name: string): ChannelDefinition<DeliveryChannel, string, unknown> | null {
  return (
    (CHANNELS.find((c) => c.name === name) as ChannelDefinition<DeliveryChannel, string, unknown>) ?? null
  );
}

/** A channel's adapter among the app's channels. */
export function portOf(channels: DeliveryChannels, channel: { portKey: string }): unknown {
  return (channels as unknown as Record<string, unknown>)[channel.portKey];
}

export type { ChannelDefinition, SendStep, Sent } from './definition.js';
