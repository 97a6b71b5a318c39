//! Splitting a command line into words as a POSIX shell would (quotes and
//! backslashes; no variables, globs or substitutions).

/// Splits `line` into words: `'…'` keeps everything literally, `"…"` and
/// unquoted text honour `\` escapes. An unterminated quote is an error.
pub fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err(format!("unterminated ' quote in `{line}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err(format!("unterminated \" quote in `{line}`")),
                        },
                        Some(c) => cur.push(c),
                        None => return Err(format!("unterminated \" quote in `{line}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => cur.push(c),
                    None => return Err(format!("`{line}` ends with a lone backslash")),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_posix_shell() {
        assert_eq!(
            shell_words("aws s3 rb  s3://prod --force").unwrap(),
            ["aws", "s3", "rb", "s3://prod", "--force"]
        );
        assert_eq!(
            shell_words(r#"aws s3 cp 'my file.txt' "s3://b/a \"b\"" a\ b ''"#).unwrap(),
            [
                "aws",
                "s3",
                "cp",
                "my file.txt",
                "s3://b/a \"b\"",
                "a b",
                ""
            ]
        );
        assert!(shell_words("aws s3 cp 'x").is_err());
        assert!(shell_words("aws s3 cp \"x").is_err());
        assert!(shell_words("x\\").is_err());
    }
}
