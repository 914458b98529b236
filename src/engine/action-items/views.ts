/** What the action-item operations return: the shapes of the NoteTicketing document, field for field. */
import type { ActionItemPriority, ActionItemStatus } from '../../db/schema.js';

export interface ActionItemView {
  id: string; guild_id: string; channel_id: string; channel_name: string | null; summary: string | null; text: string;
  priority: ActionItemPriority; category: string; status: ActionItemStatus; assigned_to: string | null;
  created_at: string; updated_at: string;
}

export interface MonitorConfigView {
  guild_id: string; active: boolean; privacy_mode_enabled: boolean; channels_to_monitor: string[];
  todo_channel_id: string | null; sweep_output_channel_id: string | null; sweep_interval_hours: number;
  last_sweep_time: string | null; webhook_url: string | null; webhook_secret_set: boolean; created_at: string; updated_at: string;
}

export interface SweepView {
  id: string; guild_id: string; triggered_at: string; channels_processed: number; messages_processed: number;
  action_items_found: number; status: 'running' | 'completed' | 'failed'; duration_seconds: number | null;
}

export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();
export const isoOrNull = (d: Date | string | null): string | null => (d === null ? null : iso(d));
