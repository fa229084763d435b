/**
 * Where the learner is in the lessons and each section's widget settings. The address follows it
 * (`#/learn&lv=1&lesson=…`, lesson-link.ts) without adding history entries, and a link pasted into the
 * address bar moves it. Settings are remembered per section while the page is open, so "previous" returns
 * to the widget as it was left.
 */
import { router } from '../state/router.svelte.ts';
import { lessonParams, NO_CONTROLS, readLessonHash, type TeacherControls } from './lesson-link.ts';
import { findLesson, type LessonSpec, type SectionSpec } from './lessons.ts';
import { defaultsOf, type ParamValue, type WidgetState } from './params.ts';

export class LearnState {
  lesson = $state<string | null>(null);
  section = $state<string | null>(null);
  /** Settings of every visited section, by `lesson/section`. */
  states = $state<Record<string, WidgetState>>({});
  /** Teacher's locks and hidden settings from the opened link, by `lesson/section` (present is lesson-wide). */
  sectionControls = $state<Record<string, { lock: string[]; hide: string[] }>>({});
  /** Presenter view: large next-section flow, arrow keys and Page Down advance. */
  presenter = $state(false);
  /** What the opened link got wrong, and that defaults were used instead. */
  notices = $state<string[]>([]);
  /** The hash this state last wrote, to tell our own updates from a link the user opened. */
  private written = '';

  readonly lessonSpec = $derived<LessonSpec | null>(this.lesson ? (findLesson(this.lesson) ?? null) : null);
  readonly sectionSpec = $derived<SectionSpec | null>(
    this.lessonSpec?.sections.find((s) => s.id === this.section) ?? null,
  );
  readonly sectionIndex = $derived(
    this.lessonSpec ? this.lessonSpec.sections.findIndex((s) => s.id === this.section) : -1,
  );
  readonly values = $derived<WidgetState>(
    this.lesson && this.section && this.sectionSpec
      ? (this.states[`${this.lesson}/${this.section}`] ?? defaultsOf(this.sectionSpec.params))
      : {},
  );
  readonly controls = $derived<TeacherControls>({
    ...(this.sectionControls[`${this.lesson}/${this.section}`] ?? NO_CONTROLS),
    present: this.presenter,
  });

  /** Opens the place a hash names (on arrival in Learn, and when the user edits the address). */
  readFrom(hash: string): void {
    if (hash === this.written) return;
    const read = readLessonHash(hash);
    // arriving from another area (no lesson in the address): stay where the learner was
    if (read.lesson === null && !read.notices.length && !/[&]lesson=/.test(hash)) return;
    this.lesson = read.lesson;
    this.section = read.section;
    if (read.lesson && read.section) {
      const k = `${read.lesson}/${read.section}`;
      this.states[k] = read.state;
      this.sectionControls[k] = { lock: read.controls?.lock ?? [], hide: read.controls?.hide ?? [] };
    }
    this.presenter = read.controls?.present ?? false;
    this.notices = read.notices;
  }

  open(lesson: string, section?: string): void {
    const spec = findLesson(lesson);
    if (!spec) return;
    this.lesson = lesson;
    this.section = section ?? spec.sections[0].id;
    this.notices = [];
  }

  /** Back to the list of lessons. */
  close(): void {
    this.presenter = false;
    this.lesson = null;
    this.section = null;
    this.notices = [];
  }

  go(delta: 1 | -1): void {
    const spec = this.lessonSpec;
    if (!spec) return;
    const next = spec.sections[this.sectionIndex + delta];
    if (next) this.open(spec.id, next.id);
  }

  set(key: string, value: ParamValue): void {
    if (!this.lesson || !this.section) return;
    // a locked setting stays as the teacher's link set it, whatever a widget asks
    if (this.controls.lock.includes(key) || this.controls.hide.includes(key)) return;
    const k = `${this.lesson}/${this.section}`;
    this.states[k] = { ...this.values, [key]: value };
  }

  /** Writes the place into the address (called from an effect of the Learn area). */
  syncAddress(): void {
    const c = this.controls;
    const params = lessonParams({
      lesson: this.lesson,
      section: this.section,
      state: this.values,
      ...(c.lock.length || c.hide.length || c.present ? { controls: c } : {}),
    });
    // on the list of lessons, an experiment link's token (`&x=`, e.g. a classroom link that opened Learn)
    // stays in the address; only a lesson's own parameters are cleared
    if (!params && !/[&]lesson=/.test(location.hash)) return;
    router.setParams(params);
    this.written = location.hash;
  }
}

export const learn = new LearnState();
