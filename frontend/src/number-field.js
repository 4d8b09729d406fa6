// Number and amount fields that read what a person types in the notation of the page's language.
//
// form-js's own number field turns every ',' into '.' and then asks JavaScript's Number(): on a Dutch page
// "48.000" (forty-eight thousand) became 48, "1.250.000.000" became 1.25 and "€ 48000" became NaN. This
// field replaces it (registered for the type "number"): on a Dutch page '.' separates thousands and ','
// starts the decimals ("48.000", "48.000,50", "€ 48.000", "48000"), on an English page the other way round
// ("48,000", "48,000.50", "€48,000"). What could mean two things ("48,000" on a Dutch page: 48 or 48,000?)
// or follows no notation ("48.5" on a Dutch page) is refused with a message naming the expected notation;
// nothing is reinterpreted. The form's data holds a JSON number (or null); while the text is refused it
// holds 'NaN' (form-js's own mark of an invalid number), so the form cannot be submitted. After leaving the
// field the value is shown formatted (Intl.NumberFormat): "€ 48.000" for an amount (a field with the
// custom property "currency"), "48000,5" for another number (no grouping: a year stays "2026").
import { h } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { Numberfield, Label, Description, Errors } from '@bpmn-io/form-js-viewer';

const SPACES = /[\u00a0\u202f\u2009]/g;

// The separators of the page's notation: Dutch by default, English on an English page.
export function notationOf(lang) {
  return lang === 'en' ? { group: ',', decimal: '.' } : { group: '.', decimal: ',' };
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// text -> { value: number | null } or { error: 'notation' | 'ambiguous' }
export function parseNumber(text, lang) {
  let rest = String(text ?? '').replace(SPACES, ' ').trim();
  if (!rest) return { value: null };
  let negative = false;
  let currency = false;
  const take = (re) => {
    const match = re.exec(rest);
    if (!match) return false;
    rest = rest.slice(match[0].length);
    return true;
  };
  if (take(/^[-\u2212]\s*/)) negative = true;
  if (take(/^(?:€|eur\b)\s*/i)) currency = true;
  if (!negative && take(/^[-\u2212]\s*/)) negative = true;
  const tail = /\s*(?:€|eur)$/i.exec(rest);
  if (tail) {
    if (currency) return { error: 'notation' };
    rest = rest.slice(0, tail.index);
  }
  const { group, decimal } = notationOf(lang);
  const g = escape(group);
  const d = escape(decimal);
  const integer = `(?:\\d+|[1-9]\\d{0,2}(?:${g}\\d{3})+)`;
  const plain = new RegExp(`^(${integer})?(?:${d}(\\d+))?$`);
  // One separator with exactly three digits after it and no other separator: in this notation it starts
  // the decimals ("48,000" on a Dutch page), in the other it groups thousands. Refused, never guessed.
  const ambiguous = new RegExp(`^[1-9]\\d{0,2}${d}\\d{3}$`);
  if (ambiguous.test(rest)) return { error: 'ambiguous' };
  const match = plain.exec(rest);
  if (!match || (match[1] === undefined && match[2] === undefined)) return { error: 'notation' };
  const digits = (match[1] || '0').split(group).join('');
  const canonical = match[2] !== undefined ? `${digits}.${match[2]}` : digits;
  const value = Number(canonical);
  if (!Number.isFinite(value)) return { error: 'notation' };
  return { value: negative && value !== 0 ? -value : value };
}

export function formatNumber(value, lang, field) {
  const number = fromData(value);
  if (number === null) return '';
  const locale = lang === 'en' ? 'en-GB' : 'nl-NL';
  const currency = (field.properties || {}).currency;
  const most = Number.isInteger(field.decimalDigits) ? field.decimalDigits : 20;
  // an amount: whole euros without cents ("€ 48.000"), otherwise with cents ("€ 48.000,50")
  const least = currency && !Number.isInteger(number) ? 2 : 0;
  const options = currency
    ? { style: 'currency', currency, minimumFractionDigits: least, maximumFractionDigits: Math.max(least, most) }
    : { useGrouping: false, maximumFractionDigits: most };
  try {
    return new Intl.NumberFormat(locale, options).format(number);
  } catch (err) {
    return String(number);
  }
}

// A value of the form's data as a number: a JSON number, or the plain text form-js keeps for a field with
// serializeToString ("48000.5"); anything else is no number.
function fromData(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value)) return Number(value);
  return null;
}

// The messages of refused texts, by field instance ("<field id>/<indexes>"), for the validator below.
const refused = new Map();
const instanceKey = (id, indexes) => [id, ...Object.values(indexes || {})].join('/');

export function numberFieldModule(lang, texts) {
  function message(kind, text) {
    return (texts[kind] || texts.notation || 'Invalid number').replace('{text}', text);
  }

  function VbNumberfield(props) {
    const { disabled, errors = [], domId, onBlur, onFocus, field, value, readonly, indexes } = props;
    const { description, label, validate = {} } = field;
    const key = instanceKey(field.id, indexes);
    // What the box shows, and the value it last sent: a value from outside (import, reset) is shown
    // formatted; what the person types stays as typed until they leave the field.
    const sent = useRef(value);
    const [text, setText] = useState(() => (value === 'NaN' ? '' : formatNumber(value, lang, field)));
    if (value !== sent.current && value !== 'NaN') {
      sent.current = value;
      const shown = formatNumber(value, lang, field);
      if (shown !== text && parseNumber(text, lang).value !== fromData(value)) setText(shown);
    }
    const send = (number) => {
      // a field with serializeToString keeps its number as text ("48000.5"), as form-js does
      const next = field.serializeToString && typeof number === 'number' ? String(number) : number;
      sent.current = next;
      props.onChange({ field, value: next });
    };
    const onInput = (event) => {
      const typed = event.target.value;
      setText(typed);
      const parsed = parseNumber(typed, lang);
      if (parsed.error) {
        refused.set(key, message(parsed.error, typed.trim()));
        send('NaN');
      } else {
        refused.delete(key);
        send(parsed.value);
      }
    };
    const onInputBlur = () => {
      const parsed = parseNumber(text, lang);
      if (!parsed.error) setText(formatNumber(parsed.value, lang, field));
      onBlur && onBlur();
    };
    const descriptionId = `${domId}-description`;
    const errorMessageId = `${domId}-error-message`;
    const classes = ['fjs-form-field', 'fjs-form-field-number'];
    if (errors.length) classes.push('fjs-has-errors');
    if (disabled) classes.push('fjs-disabled');
    if (readonly) classes.push('fjs-readonly');
    return h('div', { class: classes.join(' ') }, [
      h(Label, { htmlFor: domId, label, required: validate.required }),
      h('input', {
        class: 'fjs-input',
        id: domId,
        type: 'text',
        inputMode: 'decimal',
        autoComplete: 'off',
        disabled,
        readOnly: readonly,
        value: text,
        onInput,
        onBlur: onInputBlur,
        onFocus: () => onFocus && onFocus(),
        required: validate.required,
        'aria-describedby': [descriptionId, errorMessageId].join(' '),
        'aria-invalid': errors.length > 0,
      }),
      h(Description, { id: descriptionId, description }),
      h(Errors, { id: errorMessageId, errors }),
    ]);
  }
  VbNumberfield.config = {
    ...Numberfield.config,
    // imported data: a number stays a number; text (a refused value never reaches the server) is empty
    sanitizeValue: ({ value, formField }) => {
      const number = fromData(value);
      if (number === null) return null;
      return formField.serializeToString ? String(number) : number;
    },
  };

  function Registrar(formFields) {
    formFields.register('number', VbNumberfield);
  }
  Registrar.$inject = ['formFields'];
  return { __init__: ['vbNumberField'], vbNumberField: ['type', Registrar] };
}

// Wraps form-js's validation: a refused text gets its own message (and only that one); a number is checked
// by form-js as before (required, min, max, decimal digits).
export function validateNumbers(validate, formFieldRegistry) {
  return (fieldInstance, value) => {
    const field = formFieldRegistry.get(fieldInstance.id);
    if (field && field.type === 'number' && value === 'NaN') {
      const text = refused.get(instanceKey(fieldInstance.id, fieldInstance.indexes));
      return [text || 'Value is not a number.'];
    }
    return validate(fieldInstance, value);
  };
}
