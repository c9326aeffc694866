//! Loading a workspace from disk: file discovery (SPEC §2), reading,
//! UTF-8 validation, parsing and model building. This is IO; everything
//! below it is pure.

use crate::diag::Finding;
use crate::model::{self, Model, ParsedFile};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::ast::FileAst;
use crate::syntax::ast::AllowComment;
use crate::syntax::parser::MAX_FILE_BYTES;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A loaded workspace: sources, model and every finding so far.
#[derive(Debug, Default)]
pub struct Workspace {
    pub root: PathBuf,
    pub sources: SourceMap,
    pub model: Model,
    pub findings: Vec<Finding>,
    /// allow comments per file id
    pub allows: Vec<Vec<AllowComment>>,
}

/// At most this many `.esc` files form one workspace (all PATHs together):
/// far above a large organisation (gen-org's 50,000 services, 5,000 teams
/// are 15,065 files) and low enough that pointing escalade at `/` stops.
pub const MAX_FILES: usize = 100_000;
/// Directories nest at most this deep below a workspace directory.
pub const MAX_DIR_DEPTH: usize = 32;

/// Why a workspace could not be loaded at all (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("path `{0}` does not exist")]
    #[diagnostic(code(escalade::path), help("give a directory of .esc files or a single .esc file"))]
    Missing(String),
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(escalade::io))]
    Unreadable { path: String, reason: String },
    #[error("{path}: more than {limit} .esc files; a workspace holds at most {limit}")]
    #[diagnostic(
        code(escalade::limit),
        help("give the directory that holds the policies, not a parent of it; split a larger organisation into several workspaces")
    )]
    TooManyFiles { path: String, limit: usize },
    #[error("`{path}` is nested more than {MAX_DIR_DEPTH} directories deep below `{root}`")]
    #[diagnostic(
        code(escalade::limit),
        help("give the directory that holds the policies, not a parent of it; policy trees need no deep nesting")
    )]
    TooDeep { path: String, root: String },
    #[error("no .esc file found in {0}")]
    #[diagnostic(code(escalade::empty), help("a workspace is a directory holding .esc files, or one .esc file"))]
    NoFiles(String),
}

/// The display path of a file: relative to the current directory when
/// below it, otherwise absolute; always with `/`.
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = if p.is_absolute() { p.to_path_buf() } else { cwd.as_ref().map(|c| c.join(p)).unwrap_or_else(|| p.to_path_buf()) };
    let abs = normalize(&abs);
    let shown = match cwd.as_ref().map(|c| normalize(c)) {
        Some(c) => abs.strip_prefix(&c).map(Path::to_path_buf).unwrap_or(abs.clone()),
        None => abs.clone(),
    };
    let shown = shown.to_string_lossy().replace('\\', "/");
    if shown.is_empty() {
        ".".into()
    } else {
        shown
    }
}

/// Lexical normalisation (`.` and `..`), without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Every `*.esc` file below `dir`, sorted bytewise by relative path with
/// `/` separators; dot-files and dot-directories skipped; symlinks not
/// followed (so a link cannot make a loop). The walk keeps its own stack
/// and stops at [`MAX_DIR_DEPTH`] and [`MAX_FILES`]; it visits entries in
/// name order, so the limit it reports is the same on every run.
fn discover(dir: &Path, max_files: usize) -> Result<Vec<PathBuf>, LoadError> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    while let Some((d, rel, depth)) = stack.pop() {
        if depth > MAX_DIR_DEPTH {
            return Err(LoadError::TooDeep { path: display_path(&d), root: display_path(dir) });
        }
        let rd = std::fs::read_dir(&d).map_err(|e| LoadError::Unreadable { path: display_path(&d), reason: e.to_string() })?;
        let mut dirs = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| LoadError::Unreadable { path: display_path(&d), reason: e.to_string() })?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let ft = entry.file_type().map_err(|e| LoadError::Unreadable { path: display_path(&entry.path()), reason: e.to_string() })?;
            let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if ft.is_symlink() {
                continue;
            } else if ft.is_dir() {
                dirs.push((entry.path(), r, depth + 1));
            } else if ft.is_file() && name.ends_with(".esc") {
                out.push((r, entry.path()));
                if out.len() > max_files {
                    return Err(LoadError::TooManyFiles { path: display_path(dir), limit: max_files });
                }
            }
        }
        // popped in name order
        dirs.sort_by(|a, b| b.1.as_bytes().cmp(a.1.as_bytes()));
        stack.extend(dirs);
    }
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out.into_iter().map(|(_, p)| p).collect())
}

/// The files of a workspace given as PATH arguments (§2), and its root.
pub fn files_of(paths: &[PathBuf]) -> Result<(PathBuf, Vec<PathBuf>), LoadError> {
    files_of_at_most(paths, MAX_FILES)
}

/// [`files_of`] with another limit on the number of files than
/// [`MAX_FILES`] (tests reach it without writing 10,001 files).
pub fn files_of_at_most(paths: &[PathBuf], max_files: usize) -> Result<(PathBuf, Vec<PathBuf>), LoadError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for p in &paths {
        let meta = std::fs::metadata(p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                LoadError::Missing(display_path(p))
            } else {
                LoadError::Unreadable { path: display_path(p), reason: e.to_string() }
            }
        })?;
        let list = if meta.is_dir() { discover(p, max_files)? } else { vec![p.clone()] };
        for f in list {
            let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            if seen.insert(key) {
                files.push(f);
            }
        }
        if files.len() > max_files {
            let shown: Vec<String> = paths.iter().map(|p| display_path(p)).collect();
            return Err(LoadError::TooManyFiles { path: shown.join(", "), limit: max_files });
        }
    }
    let root = if paths.len() == 1 {
        let p = &paths[0];
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(|x| if x.as_os_str().is_empty() { PathBuf::from(".") } else { x.to_path_buf() }).unwrap_or(cwd.clone())
        }
    } else {
        cwd
    };
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| display_path(p)).collect();
        return Err(LoadError::NoFiles(shown.join(", ")));
    }
    Ok((root, files))
}

/// Load, parse and build. Syntax and model findings are in `findings`.
pub fn load(paths: &[PathBuf]) -> Result<Workspace, LoadError> {
    let (root, files) = files_of(paths)?;
    let mut texts = Vec::with_capacity(files.len());
    for f in &files {
        let bytes = read_source(f).map_err(|e| LoadError::Unreadable { path: display_path(f), reason: e.to_string() })?;
        texts.push((display_path(f), bytes));
    }
    Ok(load_sources(root, texts))
}

/// A file as read: its bytes, or — past the parser's size limit — only
/// its size (`None`: not a regular file, so unknown).
pub(crate) enum SourceBytes {
    Bytes(Vec<u8>),
    TooLarge(Option<u64>),
}

/// Read at most one byte past [`MAX_FILE_BYTES`]: a file of gigabytes is
/// refused without being held in memory.
pub(crate) fn read_source(f: &Path) -> std::io::Result<SourceBytes> {
    use std::io::Read;
    let file = std::fs::File::open(f)?;
    let mut bytes = Vec::new();
    (&file).take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() <= MAX_FILE_BYTES {
        return Ok(SourceBytes::Bytes(bytes));
    }
    let meta = file.metadata()?;
    Ok(SourceBytes::TooLarge(meta.is_file().then_some(meta.len())))
}

/// Parse and build from in-memory files (path, bytes), in workspace order.
pub fn load_texts(root: PathBuf, texts: Vec<(String, Vec<u8>)>) -> Workspace {
    load_sources(root, texts.into_iter().map(|(p, b)| (p, SourceBytes::Bytes(b))).collect())
}

fn load_sources(root: PathBuf, texts: Vec<(String, SourceBytes)>) -> Workspace {
    let mut ws = Workspace { root, ..Default::default() };
    // Every file gets its id in workspace order first; a file that is not
    // UTF-8 gets its finding, the others are parsed (in parallel when the
    // workspace is large) and their results taken back in that order, so
    // the outcome does not depend on the threads.
    let mut bad: Vec<Option<Finding>> = Vec::with_capacity(texts.len());
    let mut jobs: Vec<(FileId, Arc<str>)> = Vec::with_capacity(texts.len());
    for (path, bytes) in texts {
        let bytes = match bytes {
            SourceBytes::Bytes(b) => b,
            SourceBytes::TooLarge(size) => {
                let id = ws.sources.add(SourceFile::new(path, String::new()));
                bad.push(Some(crate::syntax::parser::too_large(id, size)));
                continue;
            }
        };
        let utf16 = bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff");
        let (text, at) = match String::from_utf8(bytes) {
            Ok(s) => (s, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        let id = ws.sources.add(SourceFile::new(path, text));
        match at {
            // The lossy text has U+FFFD (3 bytes) where the bad byte was;
            // the valid prefix is unchanged, so `at` is still right.
            Some(at) => bad.push(Some(
                Finding::new("E0001", Span::new(id, at, at + 3), format!("invalid UTF-8 at byte {at}"))
                    .with_help(if at == 0 && utf16 {
                        "the file starts with a UTF-16 byte order mark: save it as UTF-8"
                    } else {
                        "save the file as UTF-8"
                    }),
            )),
            None => {
                bad.push(None);
                jobs.push((id, ws.sources.get(id).text.clone()));
            }
        }
    }
    let mut results = parse_all(&jobs).into_iter().zip(jobs.iter().map(|j| j.0));
    let mut parsed = Vec::with_capacity(jobs.len());
    for b in bad {
        match b {
            Some(f) => {
                ws.findings.push(f);
                ws.allows.push(Vec::new());
            }
            None => {
                let Some(((ast, findings), id)) = results.next() else { break };
                ws.findings.extend(findings);
                ws.allows.push(ast.allows.clone());
                parsed.push(ParsedFile { file: id, ast });
            }
        }
    }
    let (model, findings) = model::build(&parsed);
    ws.model = model;
    ws.findings.extend(findings);
    ws
}

/// Below this many bytes of text a workspace is parsed on one thread.
const PARALLEL_PARSE_BYTES: usize = 256 * 1024;
/// Stack of a parsing thread: that of a main thread, so the parser's
/// nesting limits hold the same on every thread.
const PARSE_STACK: usize = 8 * 1024 * 1024;

/// Parse every file; results in the order of `jobs`. Large workspaces are
/// cut into contiguous runs of files of about equal size, one per core.
fn parse_all(jobs: &[(FileId, Arc<str>)]) -> Vec<(FileAst, Vec<Finding>)> {
    let parse = |run: &[(FileId, Arc<str>)]| -> Vec<(FileAst, Vec<Finding>)> {
        run.iter().map(|(id, text)| crate::syntax::parse_file(*id, text)).collect()
    };
    let total: usize = jobs.iter().map(|j| j.1.len()).sum();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8).min(jobs.len());
    if threads < 2 || total < PARALLEL_PARSE_BYTES {
        return parse(jobs);
    }
    let mut runs: Vec<&[(FileId, Arc<str>)]> = Vec::with_capacity(threads);
    let (mut start, mut acc) = (0, 0usize);
    for (i, j) in jobs.iter().enumerate() {
        acc += j.1.len();
        if acc * threads >= total * (runs.len() + 1) && runs.len() + 1 < threads {
            runs.push(&jobs[start..=i]);
            start = i + 1;
        }
    }
    runs.push(&jobs[start..]);
    let last = runs.pop().unwrap_or(&[]);
    std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|run| (*run, std::thread::Builder::new().stack_size(PARSE_STACK).spawn_scoped(s, move || parse(run))))
            .collect();
        // the calling thread takes the last run
        let tail = parse(last);
        let mut out = Vec::with_capacity(jobs.len());
        for (run, h) in handles {
            match h {
                Ok(h) => match h.join() {
                    Ok(r) => out.extend(r),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                // no thread to be had: parse that run here
                Err(_) => out.extend(parse(run)),
            }
        }
        out.extend(tail);
        out
    })
}
