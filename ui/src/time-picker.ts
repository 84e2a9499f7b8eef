import { h } from './dom.js';
import {
  absolute,
  fromLocalInput,
  PRESETS,
  REFRESH_CHOICES,
  resolveRange,
  type TimeRange,
  toLocalInput,
} from './time-range.js';

/**
 * The toolbar above a page's graphs: range presets, an absolute range, Back (to the range before the last
 * zoom or change), auto-refresh and the deploy-lines switch. It only reports what the user picked.
 */

export interface TimePickerState {
  range: TimeRange;
  refresh: string;
  deploys: boolean;
  canGoBack: boolean;
}

export interface TimePickerEvents {
  onRange: (range: TimeRange) => void;
  onBack: () => void;
  onRefresh: (choice: string) => void;
  onReload: () => void;
  onDeploys: (show: boolean) => void;
}

export class TimePicker {
  readonly el: HTMLElement;
  private readonly preset: HTMLSelectElement;
  private readonly fromInput: HTMLInputElement;
  private readonly untilInput: HTMLInputElement;
  private readonly back: HTMLButtonElement;
  private readonly refresh: HTMLSelectElement;
  private readonly deploys: HTMLInputElement;
  private readonly custom: HTMLOptionElement;

  constructor(events: TimePickerEvents) {
    this.custom = h('option', { value: '' }, 'Custom range');
    this.preset = h(
      'select',
      {
        'aria-label': 'time range',
        class: 'range-preset',
        onchange: () => {
          if (this.preset.value) events.onRange({ from: this.preset.value, until: 'now' });
        },
      },
      ...PRESETS.map((p) => h('option', { value: p.from }, p.label)),
      this.custom,
    );
    this.fromInput = h('input', { type: 'datetime-local', 'aria-label': 'from', class: 'range-from' });
    this.untilInput = h('input', { type: 'datetime-local', 'aria-label': 'until', class: 'range-until' });
    const apply = h(
      'form',
      {
        class: 'absolute',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const from = fromLocalInput(this.fromInput.value);
          const until = fromLocalInput(this.untilInput.value);
          if (from !== null && until !== null && from < until) events.onRange(absolute(from, until));
        },
      },
      this.fromInput,
      h('span', { class: 'muted' }, '→'),
      this.untilInput,
      h('button', { type: 'submit' }, 'Apply'),
    );
    this.back = h(
      'button',
      { type: 'button', class: 'back', title: 'previous range', onclick: events.onBack },
      '← Back',
    );
    this.refresh = h(
      'select',
      { 'aria-label': 'auto-refresh', onchange: () => events.onRefresh(this.refresh.value) },
      ...REFRESH_CHOICES.map((c) => h('option', { value: c }, c === 'off' ? 'Auto-refresh off' : `Every ${c}`)),
    );
    this.deploys = h('input', {
      type: 'checkbox',
      class: 'show-deploys',
      onchange: () => events.onDeploys(this.deploys.checked),
    });
    this.el = h(
      'div',
      { class: 'toolbar time-picker' },
      this.back,
      this.preset,
      apply,
      h('button', { type: 'button', title: 'reload now', onclick: events.onReload }, '↻'),
      this.refresh,
      h('label', { class: 'check' }, this.deploys, 'Deploys'),
    );
  }

  show(state: TimePickerState): void {
    const isPreset = state.range.until === 'now' && PRESETS.some((p) => p.from === state.range.from);
    this.custom.hidden = isPreset;
    this.preset.value = isPreset ? state.range.from : '';
    const { from, until } = resolveRange(state.range);
    this.fromInput.value = toLocalInput(from);
    this.untilInput.value = toLocalInput(until);
    this.back.disabled = !state.canGoBack;
    this.refresh.value = REFRESH_CHOICES.includes(state.refresh) ? state.refresh : 'off';
    this.deploys.checked = state.deploys;
  }
}
