import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import {
  defaultDatasetName,
  findListFiles,
  normalisePath,
  resolveImage,
  sourceFromFiles,
  sourceFromZip,
  uniqueName,
  type FileSource,
} from './file-source.ts';

const blob = (s: string) => new Blob([s]);
const source = (paths: string[], kind: FileSource['kind'] = 'folder', label = 'x'): FileSource => ({
  label,
  kind,
  files: new Map(paths.map((p) => [p, blob(p)])),
});
const text = async (b: Blob | null) => (b ? b.text() : null);

describe('file sources', () => {
  it('normalises separators, dots and empty segments', () => {
    expect(normalisePath('.\\train_data//imgs/./a.png')).toBe('train_data/imgs/a.png');
  });

  it('keeps webkitdirectory paths and drops junk', () => {
    const f = (path: string) =>
      ({ name: path.split('/').pop()!, webkitRelativePath: path }) as unknown as File;
    const src = sourceFromFiles([
      f('train_data/list.txt'),
      f('train_data/imgs/0000.png'),
      f('train_data/.DS_Store'),
      f('train_data/__MACOSX/imgs/._0000.png'),
    ]);
    expect(src.kind).toBe('folder');
    expect(src.label).toBe('train_data');
    expect([...src.files.keys()].sort()).toEqual(['train_data/imgs/0000.png', 'train_data/list.txt']);
  });

  it('unpacks a zip without directories or resource forks', async () => {
    const zip = zipSync({
      'list.txt': strToU8('hello'),
      'imgs/': new Uint8Array(0),
      'imgs/0000.png': strToU8('png'),
      '__MACOSX/imgs/._0000.png': strToU8('junk'),
    });
    const src = await sourceFromZip(zip, 'set.zip');
    expect([...src.files.keys()].sort()).toEqual(['imgs/0000.png', 'list.txt']);
    expect(await text(src.files.get('list.txt')!)).toBe('hello');
  });

  it('ranks list files: list.txt first, training split before test, shallow before deep', () => {
    const src = source([
      '106points/test_data/list.txt',
      '106points/README.txt',
      '106points/train_data/list.txt',
      '106points/train_data/other.txt',
      '106points/train_data/imgs/0000.png',
    ]);
    expect(findListFiles(src)).toEqual([
      '106points/train_data/list.txt',
      '106points/test_data/list.txt',
      '106points/train_data/other.txt',
    ]);
  });

  it('resolves list paths for a split folder, the dataset root and a zip with list.txt at its root', async () => {
    const line = 'train_data/imgs/0007.png';
    expect(await text(resolveImage(source(['train_data/imgs/0007.png']), 'train_data/list.txt', line))).toBe(
      'train_data/imgs/0007.png',
    );
    expect(
      await text(
        resolveImage(source(['106points/train_data/imgs/0007.png']), '106points/train_data/list.txt', line),
      ),
    ).toBe('106points/train_data/imgs/0007.png');
    expect(await text(resolveImage(source(['imgs/0007.png'], 'zip'), 'list.txt', line))).toBe(
      'imgs/0007.png',
    );
    expect(resolveImage(source(['imgs/0008.png'], 'zip'), 'list.txt', line)).toBeNull();
  });

  it('suggests a readable, unused name', () => {
    expect(defaultDatasetName(source([], 'folder', 'train_data'), 'train_data/list.txt')).toBe('train_data');
    expect(defaultDatasetName(source([], 'zip', 'faces.zip'), 'list.txt')).toBe('faces');
    expect(defaultDatasetName(source([], 'zip', 'faces.zip'), 'faces/train_data/list.txt')).toBe(
      'faces train_data',
    );
    expect(uniqueName('a', ['a', 'a (2)'])).toBe('a (3)');
    expect(uniqueName('b', ['a'])).toBe('b');
  });
});
