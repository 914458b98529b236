/** Ticket forms are Discord modals: at most 5 inputs, with Discord's own length limits. */
import { z } from 'zod';

export const FORM_FIELD_LIMIT = 5;

export const FormFieldSchema = z.object({
  label: z.string().min(1).max(45).describe('The question shown above the input (up to 45 characters)'),
  type: z.union([z.literal(4), z.literal(3)]).optional().describe('4 = text input (default), 3 = select menu of options'),
  placeholder: z.string().max(100).optional().describe('Grey hint text inside the input'),
  required: z.boolean().optional().describe('Whether the user must answer (default true)'),
  min_length: z.number().int().min(0).max(4000).optional().describe('Minimum answer length for text inputs'),
  max_length: z.number().int().min(1).max(4000).optional().describe('Maximum answer length for text inputs'),
  style: z.union([z.literal(1), z.literal(2)]).optional().describe('1 = one line, 2 = paragraph'),
  options: z.array(z.object({
    label: z.string().min(1).max(100).describe('What the user sees'), value: z.string().min(1).max(100).describe('What the answer records'),
  }).strict()).min(1).max(25).optional().describe('Choices of a select field (type 3), 1 to 25'),
}).strict().superRefine((f, ctx) => {
  if (f.min_length !== undefined && f.max_length !== undefined && f.min_length > f.max_length) {
    ctx.addIssue({ code: 'custom', path: ['min_length'], message: 'min_length must not exceed max_length' });
  }
  if (f.type === 3 && !f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select field (type 3) needs options' });
  if (f.type !== 3 && f.options) ctx.addIssue({ code: 'custom', path: ['type'], message: 'options are only for select fields; set type to 3' });
});

export const FormFieldsSchema = z.array(FormFieldSchema).max(FORM_FIELD_LIMIT)
  .describe(`The form shown when a ticket is opened: up to ${FORM_FIELD_LIMIT} fields, like a Discord modal`);

/** The form used when a form is enabled but no fields were given. */
export const DEFAULT_FORM = [{ label: 'How can we help?', style: 2 as const, required: true, max_length: 1000 }];
