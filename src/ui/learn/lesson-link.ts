/**
 * Lesson deep links: `#/learn&lv=1&lesson=v1&s=gumbel&tau=0.5&theta=1,0.5,0,-0.5`. Readable on purpose
 * (a teacher can edit "tau=0.5" by hand), and held to the share codec's rules: versioned (`lv`), every
 * value checked against its section's ParamSpec (out of range or not a number: the default) and bounded in length. A link never fails to open: what it got wrong is reported as
 * notices and the lesson opens with the defaults for those settings.
 */
import { findLesson, type LessonSpec, type SectionSpec } from './lessons.ts';
import { defaultsOf, type ParamSpec, type ParamSpecs, type ParamValue, type WidgetState } from './params.ts';

export const LESSON_LINK_VERSION = 1;
/** Longer hashes are not read at all (a lesson's settings fit in a few hundred characters). */
export const MAX_LINK_LENGTH = 2000;
/** Keys of the hash that belong to others (the share token) and are passed over silently. */
const FOREIGN_KEYS = new Set(['x']);
/** A teacher's lists (`lock=tau,theta`) name at most this many settings; the rest are not read. */
export const MAX_CONTROL_NAMES = 16;

/** Teacher's mode, carried by a lesson link: settings shown but fixed, settings not shown, presenter view. */
export interface TeacherControls {
  lock: string[];
  hide: string[];
  present: boolean;
}

export const NO_CONTROLS: TeacherControls = Object.freeze({
  lock: [],
  hide: [],
  present: false,
}) as TeacherControls;

export interface LessonLocation {
  /** null: the list of lessons. */
  lesson: string | null;
  section: string | null;
  state: WidgetState;
  /** Absent: none (a plain lesson link). */
  controls?: TeacherControls;
}

export interface ReadLesson extends LessonLocation {
  notices: string[];
}

/**
 * A teacher's list of setting names (`tau,theta`), checked against the section's settings: unknown or
 * repeated names are left out (unknown ones with a notice), and at most MAX_CONTROL_NAMES are read.
 */
export function readControlNames(
  key: 'lock' | 'hide',
  raw: string,
  params: ParamSpecs,
  notices: string[],
): string[] {
  const names = raw.split(',').filter((n) => n.length);
  if (names.length > MAX_CONTROL_NAMES)
    notices.push(`${key}: only the first ${MAX_CONTROL_NAMES} names of the list were read.`);
  const out: string[] = [];
  for (const name of names.slice(0, MAX_CONTROL_NAMES)) {
    if (!Object.hasOwn(params, name))
      notices.push(`${key}: ${shown(name)} is not one of this section's settings; it was ignored.`);
    else if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** A plain decimal number, nothing JavaScript's Number() would also accept (hex, '', whitespace, Infinity). */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Short, printable rendering of an untrusted value for a notice (cut, quoted; never markup). */
function shown(raw: string): string {
  const cut = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(cut);
}

/**
 * A number within [min, max] from a link, or why not. Unlike experiment links, which clamp, a lesson link
 * with a value out of range opens at the default: a teacher's link is then visibly wrong, not quietly
 * changed into another lesson state.
 */
function readNumber(kind: 'num' | 'int', min: number, max: number, raw: string): number | string {
  const v = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) return `expected a number, got ${shown(raw)}`;
  if (kind === 'int' && !Number.isInteger(v)) return `expected a whole number, got ${shown(raw)}`;
  if (v < min || v > max) return `${shown(raw)} is outside ${min} to ${max}`;
  return v;
}

/** One setting from its text: the value to use and, when repaired, why. */
export function readParam(
  key: string,
  spec: ParamSpec,
  raw: string,
): { value: ParamValue; problem?: string } {
  const fail = (why: string) => ({
    value: Array.isArray(spec.default) ? [...spec.default] : spec.default,
    problem: `${key}: ${why}; using the default ${Array.isArray(spec.default) ? spec.default.join(', ') : String(spec.default)}.`,
  });
  switch (spec.kind) {
    case 'bool':
      if (raw === '1' || raw === 'true') return { value: true };
      if (raw === '0' || raw === 'false') return { value: false };
      return fail(`expected 1 or 0, got ${shown(raw)}`);
    case 'num':
    case 'int': {
      const r = readNumber(spec.kind, spec.min, spec.max, raw);
      return typeof r === 'number' ? { value: r } : fail(r);
    }
    case 'nums': {
      const parts = raw.split(',');
      if (parts.length !== spec.default.length)
        return fail(`expected ${spec.default.length} numbers separated by commas, got ${shown(raw)}`);
      const values: number[] = [];
      const problems: string[] = [];
      parts.forEach((p, i) => {
        const r = readNumber('num', spec.min, spec.max, p);
        values.push(typeof r === 'number' ? r : spec.default[i]);
        if (typeof r !== 'number')
          problems.push(`${key}[${i + 1}]: ${r}; using the default ${spec.default[i]}.`);
      });
      return problems.length ? { value: values, problem: problems.join(' ') } : { value: values };
    }
  }
}

/** The `key=value` pairs after the area in a hash (`#/learn&a=1&b=2`), decoded; bad escapes kept raw. */
function pairsOf(hash: string): [string, string][] {
  const amp = hash.indexOf('&');
  if (amp < 0) return [];
  return hash
    .slice(amp + 1)
    .split('&')
    .filter((p) => p.length)
    .map((p) => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      const dec = (s: string) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      };
      return [dec(k), dec(v)];
    });
}

function firstSection(lesson: LessonSpec): SectionSpec {
  return lesson.sections[0];
}

/** Reads a Learn hash. Never throws: an unreadable part is a notice, and its setting takes the default. */
export function readLessonHash(hash: string): ReadLesson {
  const index: ReadLesson = { lesson: null, section: null, state: {}, notices: [] };
  if (hash.length > MAX_LINK_LENGTH)
    return {
      ...index,
      notices: [`This lesson link is longer than ${MAX_LINK_LENGTH} characters, so it was not read.`],
    };
  const pairs = pairsOf(hash);
  const get = (k: string) => pairs.find(([key]) => key === k)?.[1];
  const lessonId = get('lesson');
  if (lessonId === undefined) return index;
  const notices: string[] = [];
  const version = get('lv');
  if (version !== undefined && version !== String(LESSON_LINK_VERSION)) {
    const lesson = findLesson(lessonId);
    notices.push(
      `This lesson link has format version ${shown(version)}; this app reads version ${LESSON_LINK_VERSION}, so the lesson opens with its default settings.`,
    );
    if (!lesson) return { ...index, notices: [...notices, `There is no lesson ${shown(lessonId)}.`] };
    const s = firstSection(lesson);
    return { lesson: lesson.id, section: s.id, state: defaultsOf(s.params), notices };
  }
  const lesson = findLesson(lessonId);
  if (!lesson)
    return { ...index, notices: [`There is no lesson ${shown(lessonId)}; here are the lessons there are.`] };
  const sectionId = get('s');
  const section =
    sectionId === undefined ? firstSection(lesson) : lesson.sections.find((s) => s.id === sectionId);
  if (!section) {
    const s = firstSection(lesson);
    return {
      lesson: lesson.id,
      section: s.id,
      state: defaultsOf(s.params),
      notices: [
        `Lesson "${lesson.title}" has no section ${shown(sectionId!)}; it opens at its first section.`,
      ],
    };
  }
  const state = defaultsOf(section.params);
  const controls: TeacherControls = { lock: [], hide: [], present: false };
  const seen = new Set<string>();
  for (const [key, raw] of pairs) {
    if (key === 'lv' || key === 'lesson' || key === 's' || FOREIGN_KEYS.has(key)) continue;
    if (key === 'lock' || key === 'hide' || key === 'present') {
      if (seen.has(key)) {
        notices.push(`${key} is given twice; the first is used.`);
        continue;
      }
      seen.add(key);
      if (key === 'present') {
        if (raw === '1' || raw === 'true') controls.present = true;
        else if (raw !== '0' && raw !== 'false')
          notices.push(`present: expected 1 or 0, got ${shown(raw)}; the lesson opens in the normal view.`);
      } else controls[key] = readControlNames(key, raw, section.params, notices);
      continue;
    }
    const spec = Object.hasOwn(section.params, key) ? section.params[key] : undefined;
    if (!spec) {
      notices.push(`The link's setting ${shown(key)} is not one of this section's; it was ignored.`);
      continue;
    }
    if (seen.has(key)) {
      notices.push(`${key} is given twice; the first is used.`);
      continue;
    }
    seen.add(key);
    const r = readParam(key, spec, raw);
    state[key] = r.value;
    if (r.problem) notices.push(r.problem);
  }
  const hasControls = controls.lock.length || controls.hide.length || controls.present;
  return { lesson: lesson.id, section: section.id, state, ...(hasControls ? { controls } : {}), notices };
}

/** Numbers as short as they read back exactly at the sliders' precision. */
function formatNumber(v: number): string {
  return String(Number(v.toFixed(4)));
}

function formatValue(v: ParamValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.map(formatNumber).join(',');
  return formatNumber(v);
}

/** The hash parameters (after `#/learn&`) of a place in a lesson; '' for the list of lessons. */
export function lessonParams(at: LessonLocation): string {
  if (!at.lesson) return '';
  const parts = [`lv=${LESSON_LINK_VERSION}`, `lesson=${encodeURIComponent(at.lesson)}`];
  if (at.section) parts.push(`s=${encodeURIComponent(at.section)}`);
  for (const [k, v] of Object.entries(at.state))
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(formatValue(v))}`);
  // names are the section's setting keys; the commas stay readable for a teacher editing the link
  const names = (list: string[]) => list.map(encodeURIComponent).join(',');
  if (at.controls?.lock.length) parts.push(`lock=${names(at.controls.lock)}`);
  if (at.controls?.hide.length) parts.push(`hide=${names(at.controls.hide)}`);
  if (at.controls?.present) parts.push('present=1');
  return parts.join('&');
}
