import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lessonParams, MAX_CONTROL_NAMES, MAX_LINK_LENGTH, readLessonHash } from './lesson-link.ts';
import { findLesson, LESSONS } from './lessons.ts';
import { defaultsOf } from './params.ts';

const gumbel = findLesson('v1')!.sections.find((s) => s.id === 'gumbel')!;
const defaults = defaultsOf(gumbel.params);

describe('lesson links', () => {
  it('round-trip every section at its defaults and at edited values', () => {
    for (const lesson of LESSONS)
      for (const section of lesson.sections) {
        const at = { lesson: lesson.id, section: section.id, state: defaultsOf(section.params) };
        const read = readLessonHash(`#/learn&${lessonParams(at)}`);
        expect(read).toEqual({ ...at, notices: [] });
      }
    const at = {
      lesson: 'v1',
      section: 'gumbel',
      state: { ...defaults, tau: 0.35, theta: [2, -1.5, 0, 0.1] },
    };
    expect(readLessonHash(`#/learn&${lessonParams(at)}`)).toEqual({ ...at, notices: [] });
    expect(lessonParams(at)).toBe(
      'lv=1&lesson=v1&s=gumbel&theta=2%2C-1.5%2C0%2C0.1&tau=0.35&samples=2000&seed=1',
    );
  });

  it('reads a hand-written link (unescaped commas, settings left out take the default)', () => {
    const read = readLessonHash('#/learn&lesson=v1&s=gumbel&tau=0.5&theta=1,0,0,0');
    expect(read.notices).toEqual([]);
    expect(read.state).toEqual({ ...defaults, tau: 0.5, theta: [1, 0, 0, 0] });
  });

  it('no lesson: the list, without notices; the share token is left to its owner', () => {
    expect(readLessonHash('#/learn')).toEqual({ lesson: null, section: null, state: {}, notices: [] });
    expect(readLessonHash('#/learn&x=abc')).toEqual({ lesson: null, section: null, state: {}, notices: [] });
  });

  it('out-of-range and junk values open at the default, each with a notice', () => {
    const read = readLessonHash(
      '#/learn&lv=1&lesson=v1&s=gumbel&tau=99&samples=0x10&theta=1,2,9,-9&seed=1.5',
    );
    expect(read.state).toEqual({ ...defaults, theta: [1, 2, 0, -0.5] });
    expect(read.notices).toEqual([
      'tau: "99" is outside 0.05 to 10; using the default 1.',
      'samples: expected a number, got "0x10"; using the default 2000.',
      'theta[3]: "9" is outside -3 to 3; using the default 0. theta[4]: "-9" is outside -3 to 3; using the default -0.5.',
      'seed: expected a whole number, got "1.5"; using the default 1.',
    ]);
    for (const bad of ['', 'Infinity', 'NaN', '1e999', ' 1', '1,5'])
      expect(readLessonHash(`#/learn&lesson=v1&s=gumbel&tau=${bad}`).state.tau).toBe(1);
  });

  it('a list of the wrong length, unknown and repeated keys: defaults and notices', () => {
    const read = readLessonHash('#/learn&lesson=v1&s=gumbel&theta=1,2&tau=2&tau=3&evil=1');
    expect(read.state).toEqual({ ...defaults, tau: 2 });
    expect(read.notices).toEqual([
      expect.stringMatching(/^theta: expected 4 numbers/),
      'tau is given twice; the first is used.',
      'The link\'s setting "evil" is not one of this section\'s; it was ignored.',
    ]);
  });

  it('unknown section: the lesson at its first section, defaults, a notice', () => {
    const read = readLessonHash('#/learn&lv=1&lesson=v1&s=nope&tau=0.2');
    expect(read).toMatchObject({ lesson: 'v1', section: 'supernet', state: { size: 64 } });
    expect(read.notices[0]).toMatch(/has no section "nope"/);
  });

  it('unknown lesson, another format version, an over-long link: defaults with a notice', () => {
    expect(readLessonHash('#/learn&lesson=v9')).toMatchObject({
      lesson: null,
      notices: [expect.stringMatching(/no lesson "v9"/)],
    });
    const v2 = readLessonHash('#/learn&lv=2&lesson=v1&s=gumbel&tau=0.2');
    expect(v2).toMatchObject({ lesson: 'v1', section: 'supernet', state: { size: 64 } });
    expect(v2.notices[0]).toMatch(/format version "2"/);
    const long = readLessonHash(`#/learn&lesson=v1&s=gumbel&tau=${'1'.repeat(MAX_LINK_LENGTH)}`);
    expect(long).toMatchObject({ lesson: null, notices: [expect.stringMatching(/longer than/)] });
  });

  it('script in any field is never a value, and notices quote it cut to 40 characters', () => {
    const evil = encodeURIComponent('<script>alert(1)</script>');
    const read = readLessonHash(`#/learn&lesson=v1&s=gumbel&tau=${evil}&theta=${evil}&${evil}=1`);
    expect(read.state).toEqual(defaults);
    expect(read.notices).toHaveLength(3);
    expect(readLessonHash(`#/learn&lesson=${evil}`).lesson).toBeNull();
    expect(readLessonHash(`#/learn&lesson=v1&s=${evil}`).section).toBe('supernet');
  });

  it('any hash opens a known place with settings inside their bounds', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('tau', 'theta', 'samples', 'seed', 's', 'lv'),
        (junk, key) => {
          for (const hash of [`#/learn&lesson=v1&s=gumbel&${key}=${junk}`, `#/learn&${junk}`]) {
            const r = readLessonHash(hash);
            if (r.lesson === null) continue;
            const section = findLesson(r.lesson)!.sections.find((s) => s.id === r.section)!;
            for (const [k, spec] of Object.entries(section.params)) {
              const v = r.state[k];
              if (spec.kind === 'nums') {
                expect((v as number[]).every((x) => x >= spec.min && x <= spec.max)).toBe(true);
              } else if (spec.kind !== 'bool') {
                expect(v as number).toBeGreaterThanOrEqual(spec.min);
                expect(v as number).toBeLessThanOrEqual(spec.max);
              }
            }
          }
        },
      ),
    );
  });

  it("teacher's mode: lock, hide and presenter round-trip, and read by hand", () => {
    const at = {
      lesson: 'v1',
      section: 'gumbel',
      state: { ...defaults, tau: 0.5 },
      controls: { lock: ['tau', 'theta'], hide: ['seed'], present: true },
    };
    const params = lessonParams(at);
    expect(params).toBe(
      'lv=1&lesson=v1&s=gumbel&theta=1%2C0.5%2C0%2C-0.5&tau=0.5&samples=2000&seed=1&lock=tau,theta&hide=seed&present=1',
    );
    expect(readLessonHash(`#/learn&${params}`)).toEqual({ ...at, notices: [] });
    const hand = readLessonHash('#/learn&lesson=v1&s=gumbel&lock=tau%2Ctheta&hide=seed&present=true');
    expect(hand.controls).toEqual({ lock: ['tau', 'theta'], hide: ['seed'], present: true });
    expect(hand.notices).toEqual([]);
    // present=0 and empty lists are the plain link
    expect(readLessonHash('#/learn&lesson=v1&s=gumbel&present=0&lock=').controls).toBeUndefined();
  });

  it("teacher's mode: hostile names are ignored with notices; lists are bounded", () => {
    const r = readLessonHash(
      '#/learn&lesson=v1&s=gumbel&lock=tau,__proto__,constructor,size,<img src=x>,tau&hide=seed&hide=tau&present=yes',
    );
    expect(r.controls).toEqual({ lock: ['tau'], hide: ['seed'], present: false });
    expect(r.notices).toHaveLength(6); // 4 unknown names, hide twice, present not 1/0
    expect(r.notices.join(' ')).toContain('"<img src=x>" is not one of');
    expect(r.notices.join(' ')).toContain('"size" is not one of');
    // a setting called like an Object.prototype member is not a setting either
    expect(readLessonHash('#/learn&lesson=v1&s=gumbel&constructor=1').notices).toHaveLength(1);
    const many = Array.from({ length: 50 }, () => 'tau').join(',') + ',theta';
    const b = readLessonHash(`#/learn&lesson=v1&s=gumbel&lock=${many}`);
    expect(b.controls?.lock).toEqual(['tau']);
    expect(b.notices).toEqual([`lock: only the first ${MAX_CONTROL_NAMES} names of the list were read.`]);
  });

  it("teacher's mode: any lock or hide list yields only the section's own names", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('tau', 'theta', 'seed', 'samples'), fc.string({ maxLength: 12 }))),
        (names) => {
          const r = readLessonHash(
            `#/learn&lesson=v1&s=gumbel&lock=${names.map(encodeURIComponent).join(',')}`,
          );
          for (const n of r.controls?.lock ?? []) expect(Object.keys(gumbel.params)).toContain(n);
          expect(new Set(r.controls?.lock ?? []).size).toBe(r.controls?.lock.length ?? 0);
          expect(r.state).toEqual(defaults);
        },
      ),
    );
  });
});
