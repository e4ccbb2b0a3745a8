import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Extensions imported as audio; anything else in the tree (READMEs, CSVs, videos) is ignored. */
export const AUDIO_EXTENSIONS = ['.wav', '.wave', '.flac', '.mp3', '.ogg', '.oga', '.opus', '.m4a', '.aac'];

export interface FolderScan {
  /** Canonical absolute path of the folder. */
  root: string;
  /** Audio files, '/'-separated paths relative to root, sorted. */
  relPaths: string[];
  /** Sub-folders that could not be read. */
  unreadable: { file: string; reason: string }[];
}

/** Resolves a dataset folder, with readable errors for the ways it can be wrong. */
export function resolveFolder(folder: string): string {
  let root: string;
  try {
    root = realpathSync(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `folder not found: ${folder}` : `cannot open folder ${folder} (${code ?? String(err)})`);
  }
  if (!statSync(root).isDirectory()) throw new Error(`not a folder: ${folder}`);
  try {
    readdirSync(root);
  } catch (err) {
    throw new Error(`cannot read folder ${folder} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return root;
}

function isAudioName(name: string): boolean {
  const lower = name.toLowerCase();
  return AUDIO_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Lists the audio files under a folder (recursively, following links once, skipping hidden entries such as macOS ._ files). */
export function scanFolder(folder: string): FolderScan {
  const root = resolveFolder(folder);
  const relPaths: string[] = [];
  const unreadable: FolderScan['unreadable'] = [];
  const seenDirs = new Set<string>([root]);
  const walk = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      unreadable.push({ file: dir, reason: `cannot read folder (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          unreadable.push({ file: abs, reason: 'broken symbolic link' });
          continue;
        }
      }
      if (isDir) {
        const real = realpathSync(abs);
        if (seenDirs.has(real)) continue; // a link back up the tree
        seenDirs.add(real);
        walk(abs, childRel);
      } else if (isFile && isAudioName(e.name)) {
        relPaths.push(childRel);
      }
    }
  };
  walk(root, '');
  relPaths.sort();
  return { root, relPaths, unreadable };
}

/** Audio files named by a mix of files and folders (folders scanned recursively), as absolute paths. */
export function findAudioFiles(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      throw new Error(`${input}: no such file or folder`);
    }
    if (isDir) {
      const scan = scanFolder(input);
      for (const rel of scan.relPaths) out.push(join(scan.root, ...rel.split('/')));
    } else out.push(realpathSync(input));
  }
  return out;
}
