// Message components as Discord validates them (legacy layout): up to 5 action rows; a row holds
// 1–5 buttons or exactly one select; buttons need a custom_id (or a url for link buttons) and a
// label or emoji; selects need a custom_id and, for string selects, 1–25 options; custom_ids are
// unique within a message. Components v2 messages (flag 1 << 15) get the custom_id checks only.
import type { ErrorTree } from './errors.js';
import { DiscordError, addFieldError } from './errors.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const SELECTS = new Set([3, 5, 6, 7, 8]);

function checkButton(c: Obj, path: (string | number)[], tree: ErrorTree): void {
  const style = c.style;
  if (typeof style !== 'number' || style < 1 || style > 6) {
    addFieldError(tree, [...path, 'style'], { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, 2, 3, 4, 5, 6}.' });
    return;
  }
  if (style === 5) {
    if (typeof c.url !== 'string') addFieldError(tree, [...path, 'url'], { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    if (c.custom_id !== undefined) addFieldError(tree, [...path, 'custom_id'], { code: 'COMPONENT_FIELD_NOT_ALLOWED', message: 'A link button cannot have a custom_id' });
  } else if (style !== 6 && typeof c.custom_id !== 'string') {
    addFieldError(tree, [...path, 'custom_id'], { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  }
  if (style !== 6 && c.label === undefined && c.emoji === undefined) {
    addFieldError(tree, [...path, 'label'], { code: 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', message: 'A button needs a label or an emoji' });
  }
  if (typeof c.label === 'string' && c.label.length > 80) {
    addFieldError(tree, [...path, 'label'], { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 80 or fewer in length.' });
  }
}

function checkSelect(c: Obj, path: (string | number)[], tree: ErrorTree): void {
  if (typeof c.custom_id !== 'string') addFieldError(tree, [...path, 'custom_id'], { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  if (c.type === 3) {
    const n = Array.isArray(c.options) ? c.options.length : 0;
    if (n < 1 || n > 25) addFieldError(tree, [...path, 'options'], { code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 25 in length.' });
  }
  if (typeof c.placeholder === 'string' && c.placeholder.length > 150) {
    addFieldError(tree, [...path, 'placeholder'], { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 150 or fewer in length.' });
  }
}

/** Collect custom_ids anywhere in the tree, flagging duplicates. */
function checkIds(list: readonly unknown[], path: (string | number)[], seen: Set<string>, tree: ErrorTree): void {
  list.forEach((c, i) => {
    if (!isObj(c)) return;
    const here = [...path, i];
    if (typeof c.custom_id === 'string') {
      if (c.custom_id.length < 1 || c.custom_id.length > 100) {
        addFieldError(tree, [...here, 'custom_id'], { code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
      } else if (seen.has(c.custom_id)) {
        addFieldError(tree, [...here, 'custom_id'], { code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' });
      }
      seen.add(c.custom_id);
    }
    if (Array.isArray(c.components)) checkIds(c.components, [...here, 'components'], seen, tree);
    if (isObj(c.accessory)) checkIds([c.accessory], [...here, 'accessory'], seen, tree);
    if (isObj(c.component)) checkIds([c.component], [...here, 'component'], seen, tree);
  });
}

export function validateComponents(components: readonly unknown[], v2: boolean): void {
  const tree: ErrorTree = {};
  checkIds(components, ['components'], new Set(), tree);
  if (!v2) {
    components.forEach((row, r) => {
      const path = ['components', r];
      if (!isObj(row) || row.type !== 1) {
        addFieldError(tree, [...path, 'type'], { code: 'UNION_TYPE_CHOICES', message: 'Value of field "type" must be one of (1,).' });
        return;
      }
      const children = Array.isArray(row.components) ? row.components : [];
      if (children.length < 1 || children.length > 5) {
        addFieldError(tree, [...path, 'components'], { code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' });
        return;
      }
      const selects = children.filter((c) => isObj(c) && SELECTS.has(Number(c.type))).length;
      if (selects > 0 && children.length > 1) {
        addFieldError(tree, [...path, 'components'], { code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'The specified component exceeds the maximum width' });
      }
      children.forEach((c, i) => {
        const cp = [...path, 'components', i];
        if (!isObj(c)) return;
        if (c.type === 2) checkButton(c, cp, tree);
        else if (SELECTS.has(Number(c.type))) checkSelect(c, cp, tree);
        else addFieldError(tree, [...cp, 'type'], { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {2, 3, 5, 6, 7, 8}.' });
      });
    });
  }
  if (Object.keys(tree).length > 0) throw new DiscordError(400, 50035, 'Invalid Form Body', tree);
}

/** Modal components: action rows holding one text input, labels wrapping one input, text displays. */
export function validateModal(components: readonly unknown[]): void {
  const tree: ErrorTree = {};
  checkIds(components, ['components'], new Set(), tree);
  components.forEach((c, i) => {
    const path = ['components', i];
    if (!isObj(c)) return;
    if (c.type === 1) {
      const kids = Array.isArray(c.components) ? c.components : [];
      const input = kids[0];
      if (kids.length !== 1 || !isObj(input) || input.type !== 4) {
        addFieldError(tree, [...path, 'components'], { code: 'BASE_TYPE_BAD_LENGTH', message: 'A modal action row holds exactly one text input' });
        return;
      }
      if (typeof input.custom_id !== 'string') addFieldError(tree, [...path, 'components', 0, 'custom_id'], { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
      if (input.style !== 1 && input.style !== 2) addFieldError(tree, [...path, 'components', 0, 'style'], { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, 2}.' });
      if (typeof input.label !== 'string' || input.label.length < 1 || input.label.length > 45) {
        addFieldError(tree, [...path, 'components', 0, 'label'], { code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 45 in length.' });
      }
    } else if (c.type === 18) {
      if (typeof c.label !== 'string' || c.label.length < 1 || c.label.length > 45) {
        addFieldError(tree, [...path, 'label'], { code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 45 in length.' });
      }
      if (!isObj(c.component) || typeof c.component.custom_id !== 'string') {
        addFieldError(tree, [...path, 'component'], { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
      }
    } else if (c.type !== 10) {
      addFieldError(tree, [...path, 'type'], { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, 10, 18}.' });
    }
  });
  if (Object.keys(tree).length > 0) throw new DiscordError(400, 50035, 'Invalid Form Body', tree);
}
