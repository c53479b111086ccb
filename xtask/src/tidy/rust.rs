//! Just enough of Rust's lexical structure for the tidy checks: code with its comments and
//! literals blanked out, the literals themselves, and the paths the code names, resolved
//! against the module they appear in. Not a parser: the checks look for names, and a name
//! hidden in a comment or a string must neither count nor escape.

/// A source file, split into what the compiler reads as code and its string literals.
pub struct Source {
    /// The text with comments and the insides of string and char literals replaced by spaces;
    /// newlines are kept, so byte offsets and line numbers stay those of the file.
    pub code: String,
    /// Every string literal's contents (escapes left as written), with its line.
    pub strings: Vec<(usize, String)>,
}

impl Source {
    pub fn new(text: &str) -> Source {
        lex(text)
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.code[..offset].bytes().filter(|&b| b == b'\n').count() + 1
    }

    /// Offsets where the identifier `word` appears as a whole token in the code.
    pub fn words<'a>(&'a self, word: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.code.match_indices(word).filter_map(move |(at, _)| {
            let before = self.code[..at].chars().next_back();
            let after = self.code[at + word.len()..].chars().next();
            (!before.is_some_and(is_ident) && !after.is_some_and(is_ident)).then_some(at)
        })
    }

    /// Every path the code names (`a::b::c`, and each leaf of a `use` tree), with its line,
    /// resolved against `module` (the file's module path from its crate root) and the inline
    /// `mod x { … }` blocks around it: `crate::`, `self::` and `super::` become absolute paths
    /// starting with `crate`; other paths are returned as written.
    pub fn paths(&self, module: &[String]) -> Vec<(usize, Vec<String>)> {
        let inline = inline_modules(&self.code);
        let mut found = Vec::new();
        let mut push = |at: usize, segments: Vec<String>| {
            if segments.is_empty() {
                return;
            }
            let mut here: Vec<String> = module.to_vec();
            here.extend(
                inline
                    .iter()
                    .filter(|m| m.start <= at && at < m.end)
                    .map(|m| m.name.clone()),
            );
            found.push((self.line_of(at), resolve(&here, segments)));
        };
        for (at, tree) in use_trees(&self.code) {
            for path in expand(&tree) {
                push(at, path);
            }
        }
        for (at, path) in plain_paths(&self.code) {
            push(at, path);
        }
        found
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn lex(text: &str) -> Source {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut strings = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Blanks one char of a comment or literal, keeping newlines (and byte lengths).
    let blank = |c: char, code: &mut String| {
        if c == '\n' {
            code.push('\n');
        } else {
            code.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(chars[i], &mut code);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    blank('/', &mut code);
                    blank('*', &mut code);
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    blank('*', &mut code);
                    blank('/', &mut code);
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    blank(chars[i], &mut code);
                    i += 1;
                }
            }
        } else if let Some((hashes, open)) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br"…": no escapes, ends at `"` and as many `#`.
            for &c in &chars[i..i + open] {
                code.push(c);
            }
            i += open;
            let start_line = line;
            let mut body = String::new();
            while i < chars.len() {
                if chars[i] == '"'
                    && chars[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == '#')
                        .count()
                        == hashes
                {
                    break;
                }
                line += usize::from(chars[i] == '\n');
                body.push(chars[i]);
                blank(chars[i], &mut code);
                i += 1;
            }
            for &c in chars.iter().skip(i).take(1 + hashes) {
                code.push(c);
            }
            i += 1 + hashes;
            strings.push((start_line, body));
        } else if c == '"' {
            code.push('"');
            i += 1;
            let start_line = line;
            let mut body = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    body.push(chars[i]);
                    blank(chars[i], &mut code);
                    i += 1;
                }
                line += usize::from(chars[i] == '\n');
                body.push(chars[i]);
                blank(chars[i], &mut code);
                i += 1;
            }
            if i < chars.len() {
                code.push('"');
                i += 1;
            }
            strings.push((start_line, body));
        } else if c == '\'' && is_char_literal(&chars, i) {
            code.push('\'');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    blank(chars[i], &mut code);
                    i += 1;
                }
                if i < chars.len() {
                    blank(chars[i], &mut code);
                    i += 1;
                }
            }
            if i < chars.len() {
                code.push('\'');
                i += 1;
            }
        } else {
            line += usize::from(c == '\n');
            code.push(c);
            i += 1;
        }
    }
    Source { code, strings }
}

/// At a raw string (`r"`, `r#"`, `br"` …) not preceded by an identifier character: the number
/// of `#` and the length of the opening.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    if i > 0 && is_ident(chars[i - 1]) {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    (chars.get(j) == Some(&'"')).then_some((hashes, j + 1 - i))
}

/// `'x'` or `'\n'`, as opposed to a lifetime or label (`'a`, `'outer:`).
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}

struct InlineModule {
    name: String,
    start: usize,
    end: usize,
}

/// `mod name { … }` blocks and the byte ranges of their bodies.
fn inline_modules(code: &str) -> Vec<InlineModule> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut open: Vec<(Option<String>, usize)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'{' {
            open.push((pending.take(), i));
        } else if b == b'}' {
            if let Some((Some(name), start)) = open.pop() {
                found.push(InlineModule {
                    name,
                    start,
                    end: i,
                });
            }
        } else if b == b';' {
            pending = None;
        } else if bytes[i..].starts_with(b"mod")
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            let rest = &code[i + 3..];
            let trimmed = rest.trim_start();
            if rest.len() != trimmed.len() {
                let name: String = trimmed.chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    pending = Some(name);
                }
            }
            i += 3;
            continue;
        }
        i += 1;
    }
    found
}

/// Each `use` declaration's tree, without whitespace and `as` renames.
fn use_trees(code: &str) -> Vec<(usize, String)> {
    let mut trees = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("use") {
        let at = from + found;
        from = at + 3;
        let before = code[..at].chars().next_back();
        let after = code[at + 3..].chars().next();
        if before.is_some_and(is_ident) || !after.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(end) = code[at..].find(';') else {
            break;
        };
        let body = &code[at + 3..at + end];
        let mut tree = String::new();
        let mut words = body.split_whitespace().peekable();
        while let Some(word) = words.next() {
            if word == "as" {
                // `x as y,` or `x as y}`: the new name goes, the punctuation stays.
                if let Some(alias) = words.next() {
                    tree.push_str(alias.trim_start_matches(is_ident));
                }
                continue;
            }
            tree.push_str(word);
        }
        trees.push((at, tree));
    }
    trees
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`; `self` in a group names its parent.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim_start_matches("::");
    let Some(open) = tree.find('{') else {
        return vec![split(tree)];
    };
    let prefix = split(tree[..open].trim_end_matches("::"));
    let close = tree.rfind('}').unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut paths = Vec::new();
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        for tail in expand(part) {
            let mut path = prefix.clone();
            if tail != ["self"] {
                path.extend(tail);
            }
            paths.push(path);
        }
    }
    paths
}

fn split(path: &str) -> Vec<String> {
    path.split("::")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Paths of two or more segments outside `use` declarations: `crate::a::b`, `super::x`,
/// `std::fs::read`. A `::<T>` turbofish ends the path.
fn plain_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = code[i..].chars().next().unwrap_or(' ');
        let starts_word = is_ident(c)
            && !c.is_ascii_digit()
            && (i == 0 || !is_ident(code[..i].chars().next_back().unwrap_or(' ')));
        if !starts_word {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut segments = Vec::new();
        loop {
            let word: String = code[i..].chars().take_while(|&c| is_ident(c)).collect();
            if word.is_empty() {
                break;
            }
            i += word.len();
            segments.push(word);
            let next = code[i..].trim_start();
            if let Some(rest) = next.strip_prefix("::") {
                let rest_trimmed = rest.trim_start();
                if rest_trimmed.starts_with(|c: char| is_ident(c) && !c.is_ascii_digit()) {
                    i = code.len() - rest_trimmed.len();
                    continue;
                }
            }
            break;
        }
        if segments.len() >= 2 {
            paths.push((start, segments));
        }
    }
    paths
}

/// `crate::`, `self::` and `super::` made absolute (first segment `crate`).
fn resolve(module: &[String], segments: Vec<String>) -> Vec<String> {
    let mut rest = segments.as_slice();
    let mut base: Vec<String> = match rest.first().map(String::as_str) {
        Some("crate") => {
            rest = &rest[1..];
            Vec::new()
        }
        Some("self") => {
            rest = &rest[1..];
            module.to_vec()
        }
        Some("super") => module.to_vec(),
        _ => return segments,
    };
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    let mut path = vec!["crate".to_string()];
    path.extend(base);
    path.extend(rest.iter().cloned());
    path
}

/// The module path of a file from its crate root (`src/lib.rs`, `src/main.rs`, `src/bin/x.rs`):
/// `server/src/http/routes/desk.rs` → `[http, routes, desk]`. `None` outside a `src/` folder.
pub fn module_of(path: &str) -> Option<Vec<String>> {
    let (_, inside) = path.split_once("/src/")?;
    let inside = inside.strip_suffix(".rs")?;
    let mut parts: Vec<String> = inside.split('/').map(String::from).collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return Some(Vec::new());
    }
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    Some(parts)
}
