// One-line descriptions of steps, as reports and trace events show them (`set-load heater 2000 W pf 1`).
import { describeMatcher } from './matchers.ts';
import type { Check, Step } from './schema.ts';

export function checksText(checks: readonly Check[]): string {
  return checks.map((c) => `${c.observable} ${describeMatcher(c.matcher)}`).join(', ');
}

export function stepText(step: Step): string {
  switch (step.command) {
    case 'delay': return `delay ${step.text}`;
    case 'set-load': {
      if (step.remove) return `set-load ${step.id} removed`;
      const l = step.load;
      const parts = [`set-load ${l.id}`];
      if (l.kind) parts.push(l.kind);
      if (l.watts !== undefined) parts.push(`${l.watts} W`);
      if (l.amps !== undefined) parts.push(`${l.amps} A`);
      if (l.pf !== undefined) parts.push(`pf ${l.pf}`);
      if (l.ratedVolts !== undefined) parts.push(`at ${l.ratedVolts} V`);
      return parts.join(' ');
    }
    case 'grid': {
      const c = step.change;
      const parts = ['grid'];
      if (c.vrms !== undefined) parts.push(`${c.vrms} V`);
      if (c.hz !== undefined) parts.push(`${c.hz} Hz`);
      if (c.phaseDeg !== undefined) parts.push(`phase ${c.phaseDeg}°`);
      if (c.outage !== undefined) parts.push(c.outage ? 'outage' : 'no outage');
      if (c.harmonics !== undefined) {
        parts.push(c.harmonics.length ? `harmonics ${c.harmonics.map((h) => `h${h.order} ${h.percent} %`).join(', ')}` : 'no harmonics');
      }
      if (step.forText !== undefined) parts.push(`for ${step.forText}`);
      return parts.join(' ');
    }
    case 'press-keys': return `press-keys ${step.keys.join('')}`;
    case 'power': return `power ${step.on ? 'restore' : 'cut'}`;
    case 'tamper': return `tamper ${step.open ? 'open' : 'close'}`;
    case 'expect': return `expect ${checksText(step.checks)}${step.forText !== undefined ? ` for ${step.forText}` : ''}`;
    case 'wait-until': return `wait-until ${checksText(step.checks)} (timeout ${step.timeoutText})`;
    case 'log': return `log ${step.text}`;
    case 'network': return networkText(step);
    case 'topup': return `topup ${step.amount}`;
  }
}

function networkText(step: Extract<Step, { command: 'network' }>): string {
  const c = step.change;
  const parts = ['network'];
  if (c.coverage !== undefined) parts.push(c.coverage ? 'coverage on' : 'coverage off');
  if (c.csq !== undefined) parts.push(`csq ${c.csq}`);
  if (c.latencyMs !== undefined) parts.push(`latency ${c.latencyMs} ms`);
  if (c.registrationMs !== undefined) parts.push(`registration ${c.registrationMs} ms`);
  if (c.attachFailures !== undefined) parts.push(`${c.attachFailures} attach failures`);
  if (c.attachFailureRate !== undefined) parts.push(`attach failure rate ${c.attachFailureRate}`);
  if (c.drop) parts.push('drop connections');
  if (c.backend) parts.push(`backend ${c.backend}`);
  if (c.broker) parts.push(`broker ${c.broker}`);
  if (c.fault) parts.push(`fault ${c.fault}${c.faultCount !== undefined ? ` x${c.faultCount}` : ''}`);
  if (step.forText !== undefined) parts.push(`for ${step.forText}`);
  return parts.join(' ');
}
